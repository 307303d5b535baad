import { Migration } from '@mikro-orm/migrations';

/**
 * The outbox becomes an append-only log of events, and each of its subscribers (the
 * projector now, the relay to a broker later) gets a queue of its own: one row per event
 * still to do, deleted when done. A subscriber's claims, leases, retries and parking touch
 * only its own small queue, and a write never waits for the whole outbox.
 *
 * Articles keep their favourites count, maintained in the same statement as the favourite,
 * so a favourite's answer carries the count without counting.
 *
 * One statement per `addSql` (PGlite's extended protocol).
 */
export class Migration0002OutboxQueues extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table articles add column favorites_count integer not null default 0`);
    this.addSql(`
      update articles a set favorites_count =
        (select count(*) from favorites f where f.article_id = a.id and f.active)`);

    // The trace context of the request that wrote the event (W3C traceparent), so the
    // event's projection in another process joins the request's trace.
    this.addSql(`alter table outbox add column trace_context text null`);

    this.addSql(`
      create table outbox_subscribers (
        name text not null,
        subscribed_at timestamptz not null default now(),
        constraint outbox_subscribers_pkey primary key (name)
      )`);
    this.addSql(`insert into outbox_subscribers (name) values ('projector')`);

    // awaited_until: a writer waits for this event's projection until then (worker mode),
    // so projectors claim it before the backlog.
    this.addSql(`
      create table outbox_pending (
        subscriber text not null,
        position bigint not null,
        attempts integer not null default 0,
        next_attempt_at timestamptz null,
        lease_owner text null,
        lease_expires_at timestamptz null,
        awaited_until timestamptz null,
        parked_at timestamptz null,
        last_error text null,
        constraint outbox_pending_pkey primary key (subscriber, position),
        constraint outbox_pending_subscriber_foreign foreign key (subscriber) references outbox_subscribers (name)
      )`);
    this.addSql(`create index outbox_pending_parked_index on outbox_pending (subscriber, position) where parked_at is not null`);
    this.addSql(`
      insert into outbox_pending (subscriber, position, attempts, next_attempt_at, parked_at, last_error)
      select 'projector', position, attempts, next_attempt_at, parked_at, last_error from outbox where applied_at is null`);

    this.addSql(`drop index outbox_pending_index`);
    this.addSql(`drop index outbox_parked_index`);
    for (const column of ['applied_at', 'attempts', 'next_attempt_at', 'lease_owner', 'lease_expires_at', 'parked_at', 'last_error'])
      this.addSql(`alter table outbox drop column ${column}`);

    // Wakes listening projector workers when events are queued (delivered at commit; a
    // statement-level trigger costs one notification per write, not per event). Named as
    // MikroORM names a trigger's function, `<table>_<trigger>_fn`, so the mapping matches.
    this.addSql(`
      create function outbox_pending_notify_workers_fn() returns trigger language plpgsql as $$
      begin perform pg_notify('conduit_outbox', ''); return null; end;
      $$`);
    this.addSql(`
      create trigger notify_workers after insert on outbox_pending
      for each statement execute function outbox_pending_notify_workers_fn()`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists notify_workers on outbox_pending`);
    this.addSql(`drop function if exists outbox_pending_notify_workers_fn()`);
    this.addSql(`alter table outbox add column applied_at timestamptz null`);
    this.addSql(`alter table outbox add column attempts integer not null default 0`);
    this.addSql(`alter table outbox add column next_attempt_at timestamptz null`);
    this.addSql(`alter table outbox add column lease_owner text null`);
    this.addSql(`alter table outbox add column lease_expires_at timestamptz null`);
    this.addSql(`alter table outbox add column parked_at timestamptz null`);
    this.addSql(`alter table outbox add column last_error text null`);
    this.addSql(`
      update outbox o set applied_at = now()
      where not exists (select 1 from outbox_pending p where p.subscriber = 'projector' and p.position = o.position)`);
    this.addSql(`create index outbox_pending_index on outbox (position) where applied_at is null and parked_at is null`);
    this.addSql(`create index outbox_parked_index on outbox (position) where parked_at is not null`);
    this.addSql(`drop table outbox_pending`);
    this.addSql(`drop table outbox_subscribers`);
    this.addSql(`alter table outbox drop column trace_context`);
    this.addSql(`alter table articles drop column favorites_count`);
  }
}
