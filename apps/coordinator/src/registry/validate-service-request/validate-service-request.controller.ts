import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequestValidationDto } from '@aitbc/contracts';
import { ApiErrors } from '../../http/api-errors.decorator';
import { ValidateServiceRequestQuery } from './validate-service-request.query';

@ApiTags('registry')
@Controller('registry')
export class ValidateServiceRequestController {
  constructor(private readonly queries: QueryBus) {}

  @Post('services/:id/validate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Check a request against a service’s parameters',
    description:
      'Answers 200 for any JSON body: missing, mistyped, out-of-range or unknown-option values are `errors`, ' +
      'parameters the service does not know are `warnings`. `valid` is what the `/schema` says of the body.',
  })
  @ApiBody({
    schema: { type: 'object' },
    examples: {
      valid: { summary: 'a valid LLM request', value: { model: 'llama3.2:latest', prompt: 'Hi!' } },
      invalid: { summary: 'three errors and a warning', value: { prompt: '', max_tokens: 0, temprature: 0.5 } },
    },
  })
  @ApiOkResponse({ type: RequestValidationDto })
  @ApiErrors(404, 413, 422)
  validate(@Param('id') id: string, @Body() body: unknown): Promise<RequestValidationDto> {
    // no body at all is an empty request (its required parameters are reported missing); null is not an object
    return this.queries.execute(new ValidateServiceRequestQuery(id, body === undefined ? {} : body));
  }
}
