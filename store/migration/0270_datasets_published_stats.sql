-- Nothing on SQLite. The PostgreSQL twin (postgres/0270_datasets_published_stats.sql)
-- gives the planner statistics on the expression of the reports' "published"
-- condition, lower(trim(ckan_state)), which PostgreSQL otherwise guesses at
-- half a percent of the rows; SQLite's planner does not weigh it.
SELECT 1;
