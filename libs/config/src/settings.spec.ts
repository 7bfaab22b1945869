import { checkedTiming, DEFAULT_CONSUMER_TIMING, loadConfig, projectorSettings, ConfigError } from './index';

const timing = DEFAULT_CONSUMER_TIMING;

describe('settings: the projector and consumers, named and validated', () => {
  it('reads PROJECTOR_* through the config, with the old defaults', () => {
    expect(loadConfig({})).toMatchObject({ PROJECTOR_CONCURRENCY: 6, PROJECTOR_PROFILE: false });
    expect(loadConfig({ PROJECTOR_CONCURRENCY: '3', PROJECTOR_PROFILE: '1' })).toMatchObject({ PROJECTOR_CONCURRENCY: 3, PROJECTOR_PROFILE: true });
    expect(projectorSettings({})).toEqual({ concurrency: 6, profile: false });
  });

  it('names a bad PROJECTOR_* variable instead of projecting with NaN partitions', () => {
    expect(() => loadConfig({ PROJECTOR_CONCURRENCY: 'six' })).toThrow(/PROJECTOR_CONCURRENCY/);
    expect(() => projectorSettings({ PROJECTOR_CONCURRENCY: '0' })).toThrow(ConfigError);
    expect(() => projectorSettings({ PROJECTOR_PROFILE: 'yes' })).toThrow(/PROJECTOR_PROFILE/);
  });

  it('checks a consumer timing: a heartbeat fits three times in the session, a backoff starts below its cap', () => {
    expect(checkedTiming(timing)).toEqual(timing);
    expect(() => checkedTiming({ ...timing, heartbeatInterval: Math.floor(timing.sessionTimeout / 3) + 1 })).toThrow(
      /heartbeatInterval: must fit three times/,
    );
    expect(() => checkedTiming({ ...timing, retryInitialMs: timing.retryMaxMs + 1 })).toThrow(/retryInitialMs/);
    expect(() => checkedTiming({ ...timing, fetchWaitMs: -1 })).toThrow(ConfigError);
  });
});
