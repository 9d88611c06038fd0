-- Fixed-window counters shared by every Zhibu process (per-IP login limits).
CREATE TABLE rate_limits (
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    window_start timestamptz NOT NULL,
    count        integer NOT NULL CHECK (count > 0),
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_limits_window_idx ON rate_limits (window_start);
