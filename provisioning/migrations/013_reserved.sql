-- Number 013 is reserved for another branch, merged separately. This placeholder only
-- keeps the numbered sequence unbroken on the h-policy branch: delete it when the
-- real 013 migration is merged.
SELECT 1;
