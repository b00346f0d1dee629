CREATE TABLE "catalog_search" (
	"listing_id" uuid PRIMARY KEY NOT NULL,
	"revision_id" uuid NOT NULL,
	"owner_party_id" uuid NOT NULL,
	"status" text NOT NULL,
	"review_status" text NOT NULL,
	"listed_at" timestamp (3) with time zone,
	"updated_at" timestamp (3) with time zone NOT NULL,
	"title" jsonb NOT NULL,
	"category" text NOT NULL,
	"grade" text NOT NULL,
	"delivery_method" text NOT NULL,
	"government_derived" boolean NOT NULL,
	"min_price_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"tags" jsonb NOT NULL,
	"search_vector" "tsvector" NOT NULL
);
--> statement-breakpoint
ALTER TABLE "catalog_search" ADD CONSTRAINT "catalog_search_listing_id_catalog_listings_id_fk" FOREIGN KEY ("listing_id") REFERENCES "public"."catalog_listings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "catalog_search_listed_idx" ON "catalog_search" USING btree ("listed_at","listing_id");--> statement-breakpoint
CREATE INDEX "catalog_search_price_idx" ON "catalog_search" USING btree ("min_price_minor","listing_id");--> statement-breakpoint
CREATE INDEX "catalog_search_vector_idx" ON "catalog_search" USING gin ("search_vector") WITH (fastupdate=false);--> statement-breakpoint
-- catalog_search holds one row per listing on sale, copied from the listing and its live revision.
-- It is kept by the database at commit, like the notices of 0005, so no code path can forget it:
-- a constraint trigger deferred to commit reads the listing as the transaction leaves it, so a
-- listing inserted before its revision (as the bench seed does) or changed twice is copied once right.
CREATE FUNCTION dx_refresh_catalog_search(listing uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO catalog_search (listing_id, revision_id, owner_party_id, status, review_status, listed_at, updated_at, title, category, grade,
      delivery_method, government_derived, min_price_minor, currency, tags, search_vector)
    SELECT l.id, r.id, l.owner_party_id, l.status, r.review_status, l.listed_at, l.updated_at, r.content->'title', r.category, r.grade,
      r.delivery_method, r.government_derived, r.min_price_minor, r.currency, coalesce(r.content->'tags', '[]'::jsonb), r.search_vector
    FROM catalog_listings l JOIN catalog_listing_revisions r ON r.id = l.live_revision_id
    WHERE l.id = listing AND l.status = 'listed'
  ON CONFLICT (listing_id) DO UPDATE SET revision_id = excluded.revision_id, owner_party_id = excluded.owner_party_id, status = excluded.status,
    review_status = excluded.review_status, listed_at = excluded.listed_at, updated_at = excluded.updated_at, title = excluded.title,
    category = excluded.category, grade = excluded.grade, delivery_method = excluded.delivery_method,
    government_derived = excluded.government_derived, min_price_minor = excluded.min_price_minor, currency = excluded.currency,
    tags = excluded.tags, search_vector = excluded.search_vector;
  -- Not on sale (unlisted, suspended, delisted, or no live revision): not searchable.
  IF NOT FOUND THEN
    DELETE FROM catalog_search WHERE listing_id = listing;
  END IF;
END $$;
--> statement-breakpoint
CREATE FUNCTION dx_catalog_search_listing_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dx_refresh_catalog_search(NEW.id);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER catalog_search_listing AFTER INSERT OR UPDATE ON catalog_listings
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION dx_catalog_search_listing_changed();
--> statement-breakpoint
-- A revision on sale is not edited today; if one ever is, its copy follows. Drafts are skipped.
CREATE FUNCTION dx_catalog_search_revision_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM catalog_listings WHERE id = NEW.listing_id AND live_revision_id = NEW.id) THEN
    PERFORM dx_refresh_catalog_search(NEW.listing_id);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER catalog_search_revision AFTER UPDATE ON catalog_listing_revisions
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION dx_catalog_search_revision_changed();
--> statement-breakpoint
INSERT INTO catalog_search (listing_id, revision_id, owner_party_id, status, review_status, listed_at, updated_at, title, category, grade,
    delivery_method, government_derived, min_price_minor, currency, tags, search_vector)
  SELECT l.id, r.id, l.owner_party_id, l.status, r.review_status, l.listed_at, l.updated_at, r.content->'title', r.category, r.grade,
    r.delivery_method, r.government_derived, r.min_price_minor, r.currency, coalesce(r.content->'tags', '[]'::jsonb), r.search_vector
  FROM catalog_listings l JOIN catalog_listing_revisions r ON r.id = l.live_revision_id
  WHERE l.status = 'listed';
--> statement-breakpoint
ANALYZE catalog_search;
