-- Number 012 is reserved for another branch, merged separately. This placeholder only
-- keeps the numbered sequence unbroken on the h-policy branch: delete it when the
-- real 012 migration is merged.
SELECT 1;
