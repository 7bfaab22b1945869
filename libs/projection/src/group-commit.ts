/**
 * Group commit: items submitted while a group is running wait, and then all of them run
 * together as the next group (one transaction, one commit), so N partition batches that arrive
 * at once cost one set of round trips and one commit instead of N serialised on the same trial
 * rows. Nothing waits on a timer: a lone item runs at once, and a group is as large as what
 * arrived meanwhile (at most `max`). The first group waits for the current macrotask to end,
 * so the batches kafkajs hands over from one fetch all make it in.
 *
 * A group that fails and holds more than one item is run again item by item, so each item gets
 * its own outcome: a PermanentError reaches only the batch whose message caused it (the
 * consumer then re-runs that batch a message at a time), and the others still commit.
 */
export class GroupCommit<In, Out> {
  private readonly queue: Array<{ item: In; resolve: (o: Out) => void; reject: (e: unknown) => void }> = [];
  private running = false;

  /** `keyOf`: items of one key (a topic-partition) never share a group; a later one waits for the next. */
  constructor(
    private readonly run: (items: In[]) => Promise<Out[]>,
    private readonly keyOf: (item: In) => string,
    private readonly max = 64,
  ) {}

  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    for (let group = this.take(); group.length; group = this.take()) {
      try {
        const outs = await this.run(group.map((g) => g.item));
        group.forEach((g, i) => g.resolve(outs[i]));
      } catch (e) {
        if (group.length === 1) group[0].reject(e);
        else {
          for (const g of group)
            await this.run([g.item]).then(
              ([o]) => g.resolve(o),
              (err: unknown) => g.reject(err),
            );
        }
      }
    }
    this.running = false;
  }

  /** The next group: queued items in order, one per key, at most `max`. */
  private take(): typeof this.queue {
    const keys = new Set<string>();
    const group: typeof this.queue = [];
    for (let i = 0; i < this.queue.length && group.length < this.max;) {
      const k = this.keyOf(this.queue[i].item);
      if (keys.has(k)) {
        i++;
        continue;
      }
      keys.add(k);
      group.push(...this.queue.splice(i, 1));
    }
    return group;
  }
}
