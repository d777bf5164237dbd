DROP INDEX matches_p2;
DROP INDEX matches_p1;
