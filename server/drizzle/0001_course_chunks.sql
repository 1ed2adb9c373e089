CREATE TABLE "course_chunks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"doc_path" text NOT NULL,
	"position" integer NOT NULL,
	"chapter" text NOT NULL,
	"heading" text NOT NULL,
	"anchor" text NOT NULL,
	"url" text NOT NULL,
	"text" text NOT NULL,
	"content_hash" text NOT NULL,
	"search_document" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce(chapter, '') || ' ' || coalesce(heading, '')), 'A') || setweight(to_tsvector('english', coalesce(text, '')), 'B')) STORED,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vector_collections" (
	"name" text PRIMARY KEY NOT NULL,
	"store" text NOT NULL,
	"embedder_id" text NOT NULL,
	"dimensions" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "course_chunks_doc_path_idx" ON "course_chunks" USING btree ("doc_path","position");--> statement-breakpoint
CREATE INDEX "course_chunks_search_idx" ON "course_chunks" USING gin ("search_document");