import { ApiProperty } from '@nestjs/swagger';

export class StatsDto {
  @ApiProperty({ example: 1200 }) total_jobs!: number;
  @ApiProperty({ example: 14, description: 'queued + running' }) active_jobs!: number;
  @ApiProperty({ example: 10 }) queued!: number;
  @ApiProperty({ example: 4 }) running!: number;
  @ApiProperty({ example: 1150 }) completed!: number;
  @ApiProperty({ example: 20 }) failed!: number;
  @ApiProperty({ example: 10 }) canceled!: number;
  @ApiProperty({ example: 6 }) expired!: number;
  @ApiProperty({ example: 3, description: 'miners that heartbeated within the lease TTL' }) online_miners!: number;
  @ApiProperty({ example: 5 }) registered_miners!: number;
  @ApiProperty({ example: 12500, nullable: true, type: Number }) avg_miner_job_duration_ms!: number | null;
}
