// One value in extension storage, read lazily and written through a queue: a service worker that is
// stopped and restarted between two writes, or two handlers racing, never loses an update.
import browser from 'webextension-polyfill';

type Area = 'local' | 'session';

export class SerialStore<T> {
  private queue: Promise<unknown> = Promise.resolve();
  private cache: T | undefined;

  constructor(
    private readonly area: Area,
    private readonly key: string,
    private readonly parse: (raw: unknown) => T,
  ) {
    // Another context (an extension page, a test, a second background instance) may write the key:
    // forget the cached value then, so the next read sees the stored one.
    browser.storage.onChanged.addListener((changes, area) => {
      if (area === this.area && this.key in changes) this.cache = undefined;
    });
  }

  /** Reads (once per worker life), then applies `change` and persists, strictly one at a time. */
  update<R>(change: (value: T) => R): Promise<R> {
    const run = this.queue.then(async () => {
      const value = await this.read();
      const result = change(value);
      try {
        await browser.storage[this.area].set({ [this.key]: value });
      } catch (e) {
        // The change was made to the cached value: forget it, so the next read is what was stored.
        this.cache = undefined;
        throw e;
      }
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  get(): Promise<T> {
    const run = this.queue.then(() => this.read());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async read(): Promise<T> {
    if (this.cache === undefined) {
      const stored = await browser.storage[this.area].get(this.key);
      this.cache = this.parse(stored[this.key]);
    }
    return this.cache;
  }
}
