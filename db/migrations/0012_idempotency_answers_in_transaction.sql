-- A claim is now a lock held by the request's transaction, not a row: claims left by requests that
-- died have no answer and are dropped (their keys are free).
DELETE FROM "idempotency_keys" WHERE "state" = 'in_progress' OR "response_status" IS NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ALTER COLUMN "response_status" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ALTER COLUMN "response_type" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ALTER COLUMN "response_body" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" DROP COLUMN "state";--> statement-breakpoint
ALTER TABLE "idempotency_keys" DROP COLUMN "claimed_until";--> statement-breakpoint
-- Orders waiting for signatures before AGREEMENT_SIGNING_HOURS existed get the default week from when they last moved.
UPDATE "trading_orders" SET "response_due_at" = "updated_at" + interval '168 hours' WHERE "status" = 'agreement_pending' AND "response_due_at" IS NULL;
