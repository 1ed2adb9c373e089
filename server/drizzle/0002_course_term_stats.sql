CREATE TABLE "course_term_stats" (
	"lexeme" text PRIMARY KEY NOT NULL,
	"chunk_count" integer NOT NULL
);
