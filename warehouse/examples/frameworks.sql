-- Every framework with its lifecycle status and successor
SELECT framework, name, status, successor FROM frameworks ORDER BY registry_order;
