import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Roles } from '@trial/auth';

export interface ArmSummary {
  arm: string;
  randomised: number;
  deaths: number;
}

@Controller('trials')
export class TrialsController {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Per-arm randomised and death counts, read from the projector's read model (unblinded: dsmb). */
  @Get(':trialId/summary')
  @Roles('dsmb')
  async summary(@Param('trialId') trialId: string): Promise<{ trialId: string; arms: ArmSummary[] }> {
    const trial = (await this.ds.query(`select design from read_trials where trial_id = $1`, [trialId])) as Array<{ design: { arms: string[] } }>;
    if (!trial.length) throw new NotFoundException(`trial ${trialId} is not registered`);
    const rows = (await this.ds.query(
      `select arm, count(*)::int as randomised, count(died_on)::int as deaths
       from read_patients where trial_id = $1 group by arm`, [trialId])) as ArmSummary[];
    const byArm = new Map(rows.map((r) => [r.arm, r]));
    return { trialId, arms: trial[0].design.arms.map((arm) => byArm.get(arm) ?? { arm, randomised: 0, deaths: 0 }) };
  }
}
