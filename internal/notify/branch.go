package notify

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/i18n"
)

// branchKeepersSQL lists the enabled accounts that keep a branch: its
// secretary and branch committee members.
const branchKeepersSQL = `
SELECT DISTINCT a.id, CASE WHEN a.language = 'en' THEN 'en' ELSE 'zh' END FROM accounts a JOIN account_roles r ON r.account_id = a.id
 WHERE r.org_id = $1 AND r.role IN ('secretary', 'branch_committee') AND a.disabled_at IS NULL ORDER BY a.id`

// NotifyBranch sends a note of kind to everyone who keeps the branch
// orgID (its secretary and committee members), in the caller's
// transaction, titled by the translation key titleKey with args in each
// reader's language. dedupe, when set, makes it once per account.
func (s *Service) NotifyBranch(ctx context.Context, tx pgx.Tx, orgID int64, kind, titleKey string, args []any, url, dedupe string) error {
	rows, err := tx.Query(ctx, branchKeepersSQL, orgID)
	if err != nil {
		return fmt.Errorf("notify: keepers of %d: %w", orgID, err)
	}
	rs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (recipient, error) {
		var x recipient
		var l string
		err := r.Scan(&x.AccountID, &l)
		x.Lang = i18n.Lang(l)
		return x, err
	})
	if err != nil {
		return fmt.Errorf("notify: keepers of %d: %w", orgID, err)
	}
	for _, r := range rs {
		key := ""
		if dedupe != "" {
			key = dedupe + ":" + strconv.FormatInt(r.AccountID, 10)
		}
		if _, err := s.Send(ctx, tx, Note{AccountID: r.AccountID, Kind: kind, Title: i18n.TL(r.Lang, titleKey, args...), URL: url, DedupeKey: key}); err != nil {
			return err
		}
	}
	return nil
}
