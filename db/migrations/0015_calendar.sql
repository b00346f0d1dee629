CREATE TABLE "calendar_year_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"year" integer NOT NULL,
	"version" integer NOT NULL,
	"days" jsonb NOT NULL,
	"notice_reference" text,
	"notice_title" text,
	"notice_published_on" date,
	"source" text NOT NULL,
	"content_sha256" text NOT NULL,
	"loaded_by" uuid,
	"loaded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "calendar_year_versions_version_positive" CHECK ("calendar_year_versions"."version" >= 1),
	CONSTRAINT "calendar_year_versions_source_known" CHECK ("calendar_year_versions"."source" = 'bureau' or "calendar_year_versions"."source" like 'chinese-days@%'),
	CONSTRAINT "calendar_year_versions_bureau_notice" CHECK ("calendar_year_versions"."source" <> 'bureau' or ("calendar_year_versions"."notice_reference" is not null and "calendar_year_versions"."loaded_by" is not null))
);
--> statement-breakpoint
CREATE TABLE "calendar_years" (
	"year" integer PRIMARY KEY NOT NULL,
	"current_version" integer NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "calendar_years_year_range" CHECK ("calendar_years"."year" between 1992 and 2099),
	CONSTRAINT "calendar_years_version_positive" CHECK ("calendar_years"."current_version" >= 1)
);
--> statement-breakpoint
ALTER TABLE "calendar_year_versions" ADD CONSTRAINT "calendar_year_versions_year_calendar_years_year_fk" FOREIGN KEY ("year") REFERENCES "public"."calendar_years"("year") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "calendar_year_versions_year_version_idx" ON "calendar_year_versions" USING btree ("year","version");--> statement-breakpoint
-- A calendar year's versions are its history: deadlines name the versions they were computed on,
-- so a correction is a new version and the database refuses UPDATE, DELETE and TRUNCATE.
CREATE FUNCTION calendar_year_versions_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'calendar_year_versions is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER calendar_year_versions_no_update_delete BEFORE UPDATE OR DELETE ON "calendar_year_versions"
  FOR EACH ROW EXECUTE FUNCTION calendar_year_versions_refuse_change();
--> statement-breakpoint
CREATE TRIGGER calendar_year_versions_no_truncate BEFORE TRUNCATE ON "calendar_year_versions"
  FOR EACH STATEMENT EXECUTE FUNCTION calendar_year_versions_refuse_change();
