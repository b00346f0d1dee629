ALTER TABLE "trading_download_grants" ADD COLUMN "revocation_cause" text;--> statement-breakpoint
-- Grants revoked by hand before revocation_cause existed were all revoked by an operator.
UPDATE "trading_download_grants" SET "revocation_cause" = 'operator' WHERE "revoked_at" IS NOT NULL;--> statement-breakpoint
-- Orders refunded in full before access ended with the decision: their open grants end now, as a
-- full refund's decision ends them from this release on, each audited for both parties (actor role
-- `migration`) with its step on the order's record. Run twice, it finds nothing left to end.
WITH "ended" AS (
  UPDATE "trading_download_grants" g
  SET "revoked_at" = date_trunc('milliseconds', now()), "revoked_by" = (o."decision"->>'decidedBy')::uuid,
    "revoke_reason" = o."decision"->>'reason', "revocation_cause" = 'full_refund'
  FROM "trading_orders" o
  WHERE g."order_id" = o."id" AND g."revoked_at" IS NULL AND o."decision"->>'outcome' = 'full_refund'
  RETURNING g."id" AS "grant_id", g."revoked_at", g."revoke_reason", o."id" AS "order_id", o."number", o."status", o."buyer_party_id", o."provider_party_id"
), "events" AS (
  INSERT INTO "audit_events" ("occurred_at", "actor_role", "action", "subject_type", "subject_id", "payload", "party_ids")
  SELECT e."revoked_at", 'migration', 'order.grant_revoked', 'order', e."order_id"::text,
    jsonb_build_object('number', e."number", 'from', e."status", 'to', e."status",
      'details', jsonb_build_object('grantId', e."grant_id", 'cause', 'full_refund', 'reason', e."revoke_reason")),
    ARRAY(SELECT DISTINCT p FROM unnest(ARRAY[e."buyer_party_id", e."provider_party_id"]) AS p ORDER BY p)
  FROM "ended" e
  RETURNING "id", "occurred_at", "payload"
)
INSERT INTO "trading_order_steps" ("order_id", "action", "from_status", "to_status", "actor_role", "audit_event_id", "at")
SELECT e."order_id", 'grant_revoked', e."status", e."status", 'migration', ev."id", ev."occurred_at"
FROM "events" ev JOIN "ended" e ON e."grant_id" = (ev."payload"->'details'->>'grantId')::uuid;--> statement-breakpoint
ALTER TABLE "trading_download_grants" ADD CONSTRAINT "trading_grants_revocation_cause" CHECK (("trading_download_grants"."revoked_at" is null) = ("trading_download_grants"."revocation_cause" is null));