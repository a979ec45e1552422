-- A revoked member stays revoked (no new token) until `member restore`.
ALTER TABLE members ADD COLUMN revoked_at BIGINT;
