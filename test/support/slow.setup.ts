// Integration and e2e suites talk to a real broker and database: allow them time.
jest.setTimeout(Number(process.env.TEST_TIMEOUT_MS ?? 90_000));
