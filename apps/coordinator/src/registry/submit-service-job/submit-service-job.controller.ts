import {
  applyDecorators,
  Body,
  Controller,
  createParamDecorator,
  type ExecutionContext,
  Post,
  type Type,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  BlenderRenderRequestDto,
  FfmpegTranscodeRequestDto,
  LlmRequestDto,
  ServiceJobResponseDto,
  StableDiffusionImg2ImgRequestDto,
  StableDiffusionRequestDto,
  WhisperRequestDto,
} from '@aitbc/contracts';
import { ApiErrors } from '../../http/api-errors.decorator';
import { Roles } from '../../http/auth/auth.decorators';
import type { ServiceJobRequest, ServiceRoute } from './service-jobs';
import { SubmitServiceJobCommand } from './submit-service-job.command';
import { SERVICE_EXAMPLES } from './submit-service-job.examples';

/** One typed route: its body, Swagger examples and the answers every typed route shares. */
function ServiceRoute(route: ServiceRoute, body: Type<unknown>, summary: string, description: string) {
  return applyDecorators(
    Post(route),
    ApiOperation({ summary, description }),
    ApiBody({ type: body, examples: SERVICE_EXAMPLES[route] }),
    ApiHeader({ name: 'Idempotency-Key', required: false, description: 'same key + same body → the same job' }),
    ApiCreatedResponse({ type: ServiceJobResponseDto, description: 'queued' }),
    ApiOkResponse({ type: ServiceJobResponseDto, description: 'replay of an Idempotency-Key' }),
    ApiErrors(401, 402, 403, 409, 413, 422),
  );
}

/** Who submits, with which Idempotency-Key, and the reply to answer on (200 when a key replays). */
interface Submission {
  clientId: string;
  idempotencyKey: string | undefined;
  reply: FastifyReply;
}

const CurrentSubmission = createParamDecorator((_data: unknown, context: ExecutionContext): Submission => {
  const http = context.switchToHttp();
  const request = http.getRequest<FastifyRequest>();
  if (!request.principal) {
    throw new Error('CurrentSubmission used on a route without @Roles');
  }
  const key = request.headers['idempotency-key'];
  return {
    clientId: request.principal.id,
    idempotencyKey: typeof key === 'string' ? key : undefined,
    reply: http.getResponse<FastifyReply>(),
  };
});

/**
 * Typed jobs: each route validates its body and submits the job `{service_type, service_request}`
 * with constraints a miner can meet. See docs/services.md.
 */
@ApiTags('services')
@ApiSecurity('api-key')
@Roles('client')
@Controller('services')
export class SubmitServiceJobController {
  constructor(private readonly commands: CommandBus) {}

  @ServiceRoute('whisper/transcribe', WhisperRequestDto, 'Transcribe speech', 'Whisper; TTL 900 s.')
  transcribe(@Body() body: WhisperRequestDto, @CurrentSubmission() submission: Submission) {
    return this.submit(submission, { route: 'whisper/transcribe', body });
  }

  @ServiceRoute('whisper/translate', WhisperRequestDto, 'Translate speech into English', 'Whisper; TTL 900 s.')
  translate(@Body() body: WhisperRequestDto, @CurrentSubmission() submission: Submission) {
    return this.submit(submission, { route: 'whisper/translate', body });
  }

  @ServiceRoute('stable-diffusion/generate', StableDiffusionRequestDto, 'Generate images', 'TTL 600 s.')
  generate(@Body() body: StableDiffusionRequestDto, @CurrentSubmission() submission: Submission) {
    return this.submit(submission, { route: 'stable-diffusion/generate', body });
  }

  @ServiceRoute('stable-diffusion/img2img', StableDiffusionImg2ImgRequestDto, 'Transform an image', 'TTL 600 s.')
  img2img(@Body() body: StableDiffusionImg2ImgRequestDto, @CurrentSubmission() submission: Submission) {
    return this.submit(submission, { route: 'stable-diffusion/img2img', body });
  }

  @ServiceRoute('llm/inference', LlmRequestDto, 'Generate text', 'Ollama; `stream: false`; TTL 300 s.')
  inference(@Body() body: LlmRequestDto, @CurrentSubmission() submission: Submission) {
    return this.submit(submission, { route: 'llm/inference', body });
  }

  @ServiceRoute('llm/stream', LlmRequestDto, 'Generate text, streamed', 'Ollama; `stream: true`; TTL 300 s.')
  stream(@Body() body: LlmRequestDto, @CurrentSubmission() submission: Submission) {
    return this.submit(submission, { route: 'llm/stream', body });
  }

  @ServiceRoute('ffmpeg/transcode', FfmpegTranscodeRequestDto, 'Transcode audio or video', 'TTL 1800 s.')
  transcode(@Body() body: FfmpegTranscodeRequestDto, @CurrentSubmission() submission: Submission) {
    return this.submit(submission, { route: 'ffmpeg/transcode', body });
  }

  @ServiceRoute('blender/render', BlenderRenderRequestDto, 'Render frames', 'TTL max(600, frames × 30) s.')
  render(@Body() body: BlenderRenderRequestDto, @CurrentSubmission() submission: Submission) {
    return this.submit(submission, { route: 'blender/render', body });
  }

  private async submit(submission: Submission, request: ServiceJobRequest): Promise<ServiceJobResponseDto> {
    const { clientId, idempotencyKey, reply } = submission;
    const { response, replayed } = await this.commands.execute(
      new SubmitServiceJobCommand(clientId, request, idempotencyKey),
    );
    void reply.status(replayed ? 200 : 201);
    return response;
  }
}
