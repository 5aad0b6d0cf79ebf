import { Module } from '@nestjs/common';
import { JobStore } from './job-store';
import { SubmitJobController } from './submit-job/submit-job.controller';
import { SubmitJobHandler } from './submit-job/submit-job.handler';

@Module({
  controllers: [SubmitJobController],
  providers: [JobStore, SubmitJobHandler],
  exports: [JobStore],
})
export class JobsModule {}
