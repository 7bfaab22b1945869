import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CurrentUser, Principal, Roles } from '@trial/auth';
import { analysisAt, recordAudit } from '@trial/readstore';

export interface ArmSummary {
  arm: string;
  randomised: number;
  deaths: number;
}

@ApiTags('read-out')
@ApiBearerAuth()
@Controller('trials')
export class TrialsController {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Per-arm randomised and death counts in TrialRegistered's arm order (unblinded: dsmb, audited). */
  @Get(':trialId/summary')
  @Roles('dsmb')
  async summary(@Param('trialId') trialId: string, @CurrentUser() user: Principal): Promise<{ trialId: string; arms: ArmSummary[] }> {
    const { analysis } = await analysisAt(this.ds, trialId, {}, {});
    await recordAudit(this.ds, { sub: user.sub, role: user.role, trialId, view: 'summary', query: {} });
    const arms = analysis.design?.arms ?? analysis.accrual.byArm.map((a) => a.arm);
    return {
      trialId,
      arms: arms.map((arm) => ({
        arm,
        randomised: analysis.accrual.byArm.find((a) => a.arm === arm)?.n ?? 0,
        deaths: analysis.deathRates.find((d) => d.arm === arm)?.deaths ?? 0,
      })),
    };
  }
}
