import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SubmitJobCommand } from '../../jobs/submit-job/submit-job.command';
import { serviceJob } from './service-jobs';
import { SubmitServiceJobCommand, SubmitServiceJobResult } from './submit-service-job.command';

/**
 * A typed service request becomes an ordinary job, submitted through `SubmitJobCommand`: the same
 * escrow hold, Idempotency-Key handling and dispatch wake-up as `POST /v1/jobs`.
 */
@CommandHandler(SubmitServiceJobCommand)
export class SubmitServiceJobHandler implements ICommandHandler<SubmitServiceJobCommand, SubmitServiceJobResult> {
  constructor(private readonly commands: CommandBus) {}

  async execute({ clientId, request, idempotencyKey }: SubmitServiceJobCommand): Promise<SubmitServiceJobResult> {
    const job = serviceJob(request);
    const { view, replayed } = await this.commands.execute(new SubmitJobCommand(clientId, job.submit, idempotencyKey));
    // from requested_at, so a replay reports the same estimate as the first answer
    const estimated = Date.parse(view.requested_at) + job.run_seconds * 1000;
    return {
      replayed,
      response: {
        job_id: view.job_id,
        service_type: job.service_type,
        state: view.state,
        estimated_completion: new Date(estimated).toISOString(),
      },
    };
  }
}
