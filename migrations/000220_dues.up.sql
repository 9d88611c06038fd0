-- Party dues (党费, issue 21): the rate bands as data with their effective
-- dates, each member's yearly base with its special case, the monthly
-- ledger of payments per branch, the months a branch has handed in
-- (上缴) and the committee confirmed, and the recorded good reasons for
-- not paying. Amounts are integer fen (分). Rules: 中组发〔2008〕3号 and
-- 组电明字〔2017〕5号 (../shared/guide/rules.md §2).

-- dues_bands: one row per band of one version of the table. A version is
-- the set of rows of a category with one effective_from; the version in
-- force on 1 January of a year sets that year's rates. A band covers bases
-- up to and including upper_fen (NULL: no upper bound); it has either a
-- rate in basis points (50 = 0.5 %) or a fixed monthly amount.
CREATE TABLE dues_bands (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    category       text NOT NULL CHECK (category IN ('salaried', 'retired', 'no_income')),
    effective_from date NOT NULL,
    upper_fen      bigint CHECK (upper_fen IS NULL OR upper_fen >= 0),
    rate_bp        integer CHECK (rate_bp IS NULL OR rate_bp BETWEEN 0 AND 10000),
    fixed_fen      bigint CHECK (fixed_fen IS NULL OR fixed_fen >= 0),
    source         text NOT NULL CHECK (length(btrim(source)) BETWEEN 1 AND 300),
    CHECK ((rate_bp IS NULL) <> (fixed_fen IS NULL))
);
CREATE UNIQUE INDEX dues_bands_uq ON dues_bands (category, effective_from, coalesce(upper_fen, -1));

INSERT INTO dues_bands (category, effective_from, upper_fen, rate_bp, fixed_fen, source) VALUES
 ('salaried', '2008-04-01', 300000, 50, NULL, '中组发〔2008〕3号 第二条'),
 ('salaried', '2008-04-01', 500000, 100, NULL, '中组发〔2008〕3号 第二条'),
 ('salaried', '2008-04-01', 1000000, 150, NULL, '中组发〔2008〕3号 第二条'),
 ('salaried', '2008-04-01', NULL, 200, NULL, '中组发〔2008〕3号 第二条'),
 ('retired', '2008-04-01', 500000, 50, NULL, '中组发〔2008〕3号 第五条'),
 ('retired', '2008-04-01', NULL, 100, NULL, '中组发〔2008〕3号 第五条'),
 ('no_income', '2008-04-01', NULL, NULL, 20, '中组发〔2008〕3号 第六条');

-- dues_bases: a member's base for a year (2017 notice: set once a year),
-- the rate and monthly amount that follow from it (kept, so a later band
-- table does not rewrite a past year), and the special case with its
-- reason: a larger voluntary amount, or a reduction or exemption the
-- committee approved on approved_on (2008 第七条).
CREATE TABLE dues_bases (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id      bigint NOT NULL REFERENCES members (id),
    year           integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    category       text NOT NULL CHECK (category IN ('salaried', 'retired', 'no_income')),
    base_fen       bigint NOT NULL CHECK (base_fen BETWEEN 0 AND 100000000),
    staff_no       text NOT NULL DEFAULT '' CHECK (length(staff_no) <= 30),
    rate_bp        integer,
    band_id        bigint NOT NULL REFERENCES dues_bands (id),
    standard_fen   bigint NOT NULL CHECK (standard_fen >= 0),
    special        text NOT NULL DEFAULT 'none' CHECK (special IN ('none', 'voluntary', 'reduced', 'exempt')),
    special_reason text NOT NULL DEFAULT '' CHECK (length(special_reason) <= 500),
    approved_on    date,
    monthly_fen    bigint NOT NULL CHECK (monthly_fen >= 0),
    source         text NOT NULL DEFAULT 'form' CHECK (source IN ('form', 'import')),
    version        integer NOT NULL DEFAULT 1,
    updated_by     bigint REFERENCES accounts (id),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- created_at: when the branch started keeping this base; a member's
    -- dues are counted from the month of their first base (see dues.md).
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (member_id, year),
    CHECK (special = 'none' OR length(btrim(special_reason)) > 0),
    CHECK ((special IN ('reduced', 'exempt')) = (approved_on IS NOT NULL)),
    CHECK (special <> 'none' OR monthly_fen = standard_fen),
    CHECK (special <> 'voluntary' OR monthly_fen > standard_fen),
    CHECK (special <> 'reduced' OR monthly_fen < standard_fen),
    CHECK (special <> 'exempt' OR monthly_fen = 0)
);
CREATE INDEX dues_bases_band_idx ON dues_bases (band_id);
CREATE INDEX dues_bases_updated_by_idx ON dues_bases (updated_by);
CREATE INDEX dues_bases_staff_idx ON dues_bases (staff_no) WHERE staff_no <> '';

-- dues_months: a branch's ledger month once the secretary closed it
-- (上缴: the total handed to the committee) and when the committee
-- confirmed it. No row: the month is open.
CREATE TABLE dues_months (
    branch_id    bigint NOT NULL REFERENCES organisations (id),
    month        date NOT NULL CHECK (extract(day FROM month) = 1),
    status       text NOT NULL CHECK (status IN ('closed', 'confirmed')),
    total_fen    bigint NOT NULL,
    closed_by    bigint NOT NULL REFERENCES accounts (id),
    closed_at    timestamptz NOT NULL DEFAULT now(),
    confirmed_by bigint REFERENCES accounts (id),
    confirmed_at timestamptz,
    PRIMARY KEY (branch_id, month),
    CHECK ((status = 'confirmed') = (confirmed_at IS NOT NULL AND confirmed_by IS NOT NULL))
);
CREATE INDEX dues_months_closed_by_idx ON dues_months (closed_by);
CREATE INDEX dues_months_confirmed_by_idx ON dues_months (confirmed_by);
CREATE INDEX dues_months_month_idx ON dues_months (month, status);

-- dues_payments: the ledger. A payment pays one member's one month (for_month)
-- and sits in the branch's ledger month of the day it was paid
-- (ledger_month); one payment may be recorded for several months at once
-- (one row each, the same receipt). A correction (kind 'correction')
-- changes a payment of a closed month by a signed amount, with a reason;
-- the payment itself is never rewritten.
CREATE TABLE dues_payments (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    branch_id     bigint NOT NULL REFERENCES organisations (id),
    member_id     bigint NOT NULL REFERENCES members (id),
    for_month     date NOT NULL CHECK (extract(day FROM for_month) = 1),
    ledger_month  date NOT NULL CHECK (extract(day FROM ledger_month) = 1),
    kind          text NOT NULL DEFAULT 'payment' CHECK (kind IN ('payment', 'correction')),
    amount_fen    bigint NOT NULL,
    paid_on       date NOT NULL,
    method        text NOT NULL CHECK (method IN ('cash', 'transfer', 'wechat', 'alipay', 'other')),
    receipt_no    text NOT NULL DEFAULT '' CHECK (length(receipt_no) <= 40),
    corrects_id   bigint REFERENCES dues_payments (id),
    reason        text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    recorded_by   bigint REFERENCES accounts (id),
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (ledger_month = date_trunc('month', paid_on)::date),
    CHECK (kind = 'correction' OR amount_fen >= 0),
    CHECK ((kind = 'correction') = (corrects_id IS NOT NULL)),
    CHECK (kind = 'payment' OR length(btrim(reason)) > 0)
);
CREATE UNIQUE INDEX dues_payments_once_uq ON dues_payments (member_id, for_month) WHERE kind = 'payment';
CREATE INDEX dues_payments_ledger_idx ON dues_payments (branch_id, ledger_month);
CREATE INDEX dues_payments_member_idx ON dues_payments (member_id, for_month);
CREATE INDEX dues_payments_corrects_idx ON dues_payments (corrects_id);
CREATE INDEX dues_payments_recorded_by_idx ON dues_payments (recorded_by);

-- dues_excuses: a recorded good reason (正当理由) for months not paid; the
-- months from from_month to to_month do not count toward the six months
-- (党章 第九条; 2008 第十三条).
CREATE TABLE dues_excuses (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id   bigint NOT NULL REFERENCES members (id),
    from_month  date NOT NULL CHECK (extract(day FROM from_month) = 1),
    to_month    date NOT NULL CHECK (extract(day FROM to_month) = 1),
    reason      text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 500),
    recorded_by bigint REFERENCES accounts (id),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CHECK (to_month >= from_month)
);
CREATE INDEX dues_excuses_member_idx ON dues_excuses (member_id, from_month);
CREATE INDEX dues_excuses_recorded_by_idx ON dues_excuses (recorded_by);

-- dues_branch_on: the branch a member belonged to on a day (a member pays
-- where they belong on the first of the month, 2008 第九条): the branch a
-- later move took them from, else their branch now.
CREATE FUNCTION dues_branch_on(p_member bigint, p_day date) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT e.from_org_id FROM member_events e
          WHERE e.member_id = p_member AND e.kind = 'moved' AND e.occurred_on > p_day AND e.from_org_id IS NOT NULL
          ORDER BY e.occurred_on, e.id LIMIT 1),
        (SELECT m.branch_id FROM members m WHERE m.id = p_member))
$$;

-- The six-month rule now watches dues too: a rule kind and its default
-- version (reminder after Minimum months, breach at Maximum).
ALTER TABLE rules DROP CONSTRAINT rules_kind_check;
ALTER TABLE rules ADD CONSTRAINT rules_kind_check CHECK (kind IN ('meetings', 'quorum', 'study_hours', 'appraisal', 'org_life', 'term', 'probation', 'inactivity', 'rectification', 'branch_size', 'dues'));
INSERT INTO rules (code, kind, meeting_kind, applies_to, period, minimum, maximum, title, source, builtin, effective_from) VALUES
 ('dues_arrears', 'dues', NULL, 'member', 'none', 3, 6, '连续6个月不交纳党费（无正当理由）视为自行脱党；欠缴3个月提醒', '《中国共产党章程》第九条；中组发〔2008〕3号 第十三条', true, '2008-04-01');

-- Payments, excuses and bases change a branch's results: mark it stale.
-- (Named branch_status_*, so the bulk loader switches them off with the
-- other status triggers.)
CREATE FUNCTION dues_status_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_TABLE_NAME = 'dues_payments' THEN
        SELECT array_agg(DISTINCT branch_id) INTO ids FROM new_rows;
    ELSE
        SELECT array_agg(DISTINCT m.branch_id) INTO ids FROM new_rows n JOIN members m ON m.id = n.member_id;
    END IF;
    PERFORM branch_status_touch(ids);
    RETURN NULL;
END $$;
CREATE TRIGGER branch_status_dues_payments AFTER INSERT ON dues_payments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dues_status_changed();
CREATE TRIGGER branch_status_dues_excuses AFTER INSERT ON dues_excuses REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dues_status_changed();
CREATE TRIGGER branch_status_dues_bases_ins AFTER INSERT ON dues_bases REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dues_status_changed();
CREATE TRIGGER branch_status_dues_bases_upd AFTER UPDATE ON dues_bases REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dues_status_changed();
