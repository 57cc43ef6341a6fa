/** A small typed event emitter; a listener that throws never stops the others. */
export class Emitter<Events extends object> {
  /** Listeners per event, replaced (never changed in place) on on/off: an emit walks the array it started with. */
  private readonly listeners = new Map<keyof Events, readonly ((payload: never) => void)[]>();

  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void {
    const added = listener as (payload: never) => void;
    const list = this.listeners.get(event) ?? [];
    // a listener added twice is called once, as with addEventListener
    if (!list.includes(added)) this.listeners.set(event, [...list, added]);
    let on = true;
    return () => {
      if (!on) return;
      on = false;
      const left = (this.listeners.get(event) ?? []).filter((l) => l !== added);
      if (left.length > 0) this.listeners.set(event, left);
      else this.listeners.delete(event);
    };
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const list = this.listeners.get(event);
    if (!list) return;
    for (let i = 0; i < list.length; i++) {
      try {
        (list[i] as (payload: Events[K]) => void)(payload);
      } catch (error) {
        setTimeout(() => {
          throw error;
        }, 0);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
