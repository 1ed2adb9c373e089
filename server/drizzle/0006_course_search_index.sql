CREATE SEQUENCE "public"."course_catalog_generation" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE INDEX "course_chunks_page_idx" ON "course_chunks" USING btree (split_part("url", '#', 1));
