-- Reports count the distinct URLs of a score run by link class by probing,
-- for each checked URL, whether a scored dataset of the portal uses it. With
-- the portal and dataset in the URL index that probe never reads the
-- resource rows themselves (descriptions, extras), which made it the
-- slowest part of a report.
DROP INDEX resources_url;
CREATE INDEX resources_url ON resources(url, portal_id, dataset_id);
