-- Curated deployment targets of each framework (registry fields deployment, deployment_source).
ALTER TABLE core.frameworks ADD COLUMN deployment VARCHAR[];
ALTER TABLE core.frameworks ADD COLUMN deployment_source VARCHAR;
