CREATE TABLE "settlement_bank_statement_lines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"statement_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"bank_reference" text NOT NULL,
	"direction" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"booking_date" date,
	"remittance" text NOT NULL,
	"status" text NOT NULL,
	"unmatched_reason" text,
	"payment_reference" text,
	"payment_id" uuid,
	"dismissal_reason" text,
	"resolved_by" uuid,
	"resolved_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "settlement_bank_statement_lines_bank_reference_unique" UNIQUE("bank_reference"),
	CONSTRAINT "settlement_bank_statement_lines_amount" CHECK ("settlement_bank_statement_lines"."amount_minor" > 0),
	CONSTRAINT "settlement_bank_statement_lines_unmatched" CHECK (("settlement_bank_statement_lines"."status" = 'unmatched') = ("settlement_bank_statement_lines"."unmatched_reason" is not null) or "settlement_bank_statement_lines"."status" in ('resolved', 'dismissed'))
);
--> statement-breakpoint
CREATE TABLE "settlement_bank_statements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"identity" text NOT NULL,
	"format" text NOT NULL,
	"statement_id" text NOT NULL,
	"account" text,
	"currency" text NOT NULL,
	"opening_balance_minor" bigint,
	"closing_balance_minor" bigint,
	"closing_date" date,
	"sha256" text NOT NULL,
	"line_count" integer NOT NULL,
	"imported_by" uuid NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "settlement_bank_statements_identity_unique" UNIQUE("identity")
);
--> statement-breakpoint
ALTER TABLE "settlement_bank_statement_lines" ADD CONSTRAINT "settlement_bank_statement_lines_statement_id_settlement_bank_statements_id_fk" FOREIGN KEY ("statement_id") REFERENCES "public"."settlement_bank_statements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_bank_statement_lines" ADD CONSTRAINT "settlement_bank_statement_lines_payment_id_settlement_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."settlement_payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "settlement_bank_statement_lines_statement_idx" ON "settlement_bank_statement_lines" USING btree ("statement_id","position");--> statement-breakpoint
CREATE INDEX "settlement_bank_statement_lines_status_idx" ON "settlement_bank_statement_lines" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "settlement_bank_statements_created_idx" ON "settlement_bank_statements" USING btree ("created_at","id");