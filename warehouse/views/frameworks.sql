CREATE OR REPLACE VIEW main.frameworks AS
SELECT f.framework, f.name, f.status, f.successor, f.homepage, f.github, f.conda, f.hf_library,
       f.stackoverflow_tags, f.aliases,
       list(p.package ORDER BY p.package) FILTER (WHERE p.counted) AS counted_packages,
       f.registry_order, coalesce(f.npm, []) AS npm, f.deployment, f.deployment_source
FROM core.frameworks f
LEFT JOIN core.packages p USING (framework)
GROUP BY ALL;

COMMENT ON VIEW main.frameworks IS 'One row per framework in the registry (frameworks.toml) as of the last collect.';
COMMENT ON COLUMN main.frameworks.framework IS 'Registry id, e.g. pytorch; joins every other view.';
COMMENT ON COLUMN main.frameworks.name IS 'Display name.';
COMMENT ON COLUMN main.frameworks.status IS 'Lifecycle: active, maintenance, archived or retired (curated, sourced in the registry).';
COMMENT ON COLUMN main.frameworks.successor IS 'Framework id that succeeded this one when retired or merged; NULL otherwise.';
COMMENT ON COLUMN main.frameworks.homepage IS 'Project home page.';
COMMENT ON COLUMN main.frameworks.github IS 'GitHub repositories (owner/name).';
COMMENT ON COLUMN main.frameworks.conda IS 'conda package names.';
COMMENT ON COLUMN main.frameworks.hf_library IS 'Hugging Face Hub library tag; NULL when none.';
COMMENT ON COLUMN main.frameworks.stackoverflow_tags IS 'Stack Overflow tags.';
COMMENT ON COLUMN main.frameworks.aliases IS 'Names other sources use for this framework.';
COMMENT ON COLUMN main.frameworks.counted_packages IS 'PyPI packages counted in framework totals (roles primary and variant).';
COMMENT ON COLUMN main.frameworks.registry_order IS 'Position in the registry file (0-based).';
COMMENT ON COLUMN main.frameworks.npm IS 'npm package names (JavaScript builds), e.g. @tensorflow/tfjs.';
COMMENT ON COLUMN main.frameworks.deployment IS 'Curated deployment targets: server, desktop, mobile, edge, browser, embedded (empty when not curated).';
COMMENT ON COLUMN main.frameworks.deployment_source IS 'URL backing the deployment targets.';
