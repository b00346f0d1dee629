CREATE TABLE "settlement_provider_repayments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider_party_id" uuid NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"bank_reference" text NOT NULL,
	"recorded_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "settlement_provider_repayments_bank_reference_unique" UNIQUE("bank_reference")
);
--> statement-breakpoint
ALTER TABLE "settlement_payouts" ADD COLUMN "netted_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "settlement_provider_repayments" ADD CONSTRAINT "settlement_provider_repayments_provider_party_id_parties_id_fk" FOREIGN KEY ("provider_party_id") REFERENCES "public"."parties"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- A provider's repayment is a record of the bank's, as the receipts are: append-only.
CREATE TRIGGER settlement_provider_repayments_append_only BEFORE UPDATE OR DELETE ON "settlement_provider_repayments" FOR EACH ROW EXECUTE FUNCTION settlement_ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER settlement_provider_repayments_no_truncate BEFORE TRUNCATE ON "settlement_provider_repayments" FOR EACH STATEMENT EXECUTE FUNCTION settlement_ledger_refuse_change();
