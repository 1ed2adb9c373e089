CREATE TABLE "course_search_stats" (
	"id" integer PRIMARY KEY NOT NULL,
	"chunk_count" integer NOT NULL,
	"average_length" double precision NOT NULL
);
