import { Module } from '@nestjs/common';
import { ReceiptsModule } from '../receipts/receipts.module';
import { CancelJobController } from './cancel-job/cancel-job.controller';
import { CancelJobHandler } from './cancel-job/cancel-job.handler';
import { Dispatcher } from './dispatch/dispatcher';
import { JobAvailableListener } from './dispatch/job-available.listener';
import { GetJobController } from './get-job/get-job.controller';
import { GetJobHandler } from './get-job/get-job.handler';
import { GetJobResultController } from './get-job-result/get-job-result.controller';
import { GetJobResultHandler } from './get-job-result/get-job-result.handler';
import { JobStore } from './job-store';
import { ListJobsController } from './list-jobs/list-jobs.controller';
import { ListJobsHandler } from './list-jobs/list-jobs.handler';
import { PollJobController } from './poll-job/poll-job.controller';
import { PollJobHandler } from './poll-job/poll-job.handler';
import { ReportJobController } from './report-job/report-job.controller';
import { CompleteJobHandler, FailJobHandler, StartJobHandler } from './report-job/report-job.handlers';
import { SubmitJobController } from './submit-job/submit-job.controller';
import { SubmitJobHandler } from './submit-job/submit-job.handler';
import { SWEEP_JOB_TIMERS_PROVIDERS } from './sweep-timers/sweep-job-timers.providers';
import { JobEventsHub } from './watch-job/job-events.hub';
import { WatchJobController } from './watch-job/watch-job.controller';

@Module({
  imports: [ReceiptsModule],
  controllers: [
    SubmitJobController,
    ListJobsController,
    GetJobController,
    GetJobResultController,
    CancelJobController,
    PollJobController,
    ReportJobController,
    WatchJobController,
  ],
  providers: [
    JobStore,
    Dispatcher,
    JobAvailableListener,
    JobEventsHub,
    SubmitJobHandler,
    ListJobsHandler,
    GetJobHandler,
    GetJobResultHandler,
    CancelJobHandler,
    PollJobHandler,
    CompleteJobHandler,
    FailJobHandler,
    StartJobHandler,
    ...SWEEP_JOB_TIMERS_PROVIDERS,
  ],
  exports: [JobStore, JobAvailableListener],
})
export class JobsModule {}
