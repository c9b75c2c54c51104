-- Undo 20261123000800_audit_logs. Dropping audit_logs also drops all its partitions.

DROP TABLE audit_logs;
