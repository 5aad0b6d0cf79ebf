import { MigrationInterface, QueryRunner } from 'typeorm';
import { EVENT_STORE_DOWN_SQL, EVENT_STORE_UP_SQL } from '../libs/event-store/src/schema';

export class CreateEventStore1763784000000 implements MigrationInterface {
  name = 'CreateEventStore1763784000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(EVENT_STORE_UP_SQL);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(EVENT_STORE_DOWN_SQL);
  }
}
