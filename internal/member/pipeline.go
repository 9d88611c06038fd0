package member

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/pii"
)

// The recruitment pipeline (internal/recruit) moves a person through the
// stages in its own transaction and calls these to keep the roster in step;
// each change leaves the member's dated event, like the roster's own
// lifecycle actions.

const (
	stageSQL = `UPDATE members SET category = $2,
       activist_on  = CASE WHEN $2 = 'activist' THEN $3 ELSE activist_on END,
       target_on    = CASE WHEN $2 = 'target' THEN $3 ELSE target_on END,
       admitted_on  = CASE WHEN $2 = 'probationary' THEN $3 ELSE admitted_on END,
       converted_on = CASE WHEN $2 = 'full' THEN $3 ELSE converted_on END,
       version = version + 1, updated_at = now()
 WHERE id = $1`
	cancelProbationSQL = `UPDATE members SET party_status = 'cancelled', version = version + 1, updated_at = now() WHERE id = $1 AND category = 'probationary'`
)

var stageEvents = map[string]string{"activist": "activist", "target": "target", "probationary": "admitted", "full": "converted"}

// SetStage moves member id to the category stage as of on (the stage's own
// date: the day named activist or target, the day of the 支部大会 that
// admitted, or the day probation ended for full membership), with its event
// dated occurred (the day of the decision) by the account actor.
func SetStage(ctx context.Context, tx pgx.Tx, id int64, stage string, on, occurred time.Time, actor int64, details string) error {
	kind, ok := stageEvents[stage]
	if !ok {
		return fmt.Errorf("member: stage %q unknown", stage)
	}
	tag, err := tx.Exec(ctx, stageSQL, id, stage, on)
	if err != nil {
		return fmt.Errorf("member: set stage %d: %w", id, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("member: set stage %d: no such member", id)
	}
	if _, err := tx.Exec(ctx, insertEventSQL, id, kind, occurred, nil, nil, details, "", "", actor); err != nil {
		return fmt.Errorf("member: stage event %d: %w", id, err)
	}
	return nil
}

// ExtendProbation sets member id's end of probation to until, decided on
// the day occurred.
func ExtendProbation(ctx context.Context, tx pgx.Tx, id int64, until, occurred time.Time, actor int64, details string) error {
	if _, err := tx.Exec(ctx, extendSQL, id, until); err != nil {
		return fmt.Errorf("member: extend %d: %w", id, err)
	}
	if _, err := tx.Exec(ctx, insertEventSQL, id, "probation_extended", occurred, nil, nil, until.Format(dateLayout)+" "+details, "", "", actor); err != nil {
		return fmt.Errorf("member: extend event %d: %w", id, err)
	}
	return nil
}

// CancelProbation records 取消预备党员资格 of probationary member id on the
// day occurred: the person leaves the members in good standing.
func CancelProbation(ctx context.Context, tx pgx.Tx, id int64, occurred time.Time, actor int64, details string) error {
	tag, err := tx.Exec(ctx, cancelProbationSQL, id)
	if err != nil {
		return fmt.Errorf("member: cancel probation %d: %w", id, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("member: cancel probation %d: not probationary", id)
	}
	if _, err := tx.Exec(ctx, insertEventSQL, id, "probation_cancelled", occurred, nil, nil, details, "", "", actor); err != nil {
		return fmt.Errorf("member: cancel event %d: %w", id, err)
	}
	return nil
}

// TransferOut records member id leaving the agency on the day on with the
// letter of introduction letterNo to place (the recruitment area keeps the
// letter and its receipt).
func TransferOut(ctx context.Context, tx pgx.Tx, id, branchID int64, on time.Time, place, letterNo string, actor int64) error {
	tag, err := tx.Exec(ctx, `UPDATE members SET party_status = 'transferred_out', version = version + 1, updated_at = now()
 WHERE id = $1 AND party_status IN ('normal', 'suspended')`, id)
	if err != nil {
		return fmt.Errorf("member: transfer out %d: %w", id, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("member: transfer out %d: %w", id, ErrNotPresent)
	}
	if _, err := tx.Exec(ctx, insertEventSQL, id, "transferred_out", on, branchID, nil, "", place, letterNo, actor); err != nil {
		return fmt.Errorf("member: transfer out event %d: %w", id, err)
	}
	return nil
}

// AddApplicant puts a new applicant (入党申请人, validated by the member
// form's Validate) on the roster of v's branch in the caller's transaction
// (the recruitment import brings in people not yet on it): the ID number
// sealed and hashed as the roster's are, the first event and the audit row,
// as Create does. ErrDuplicateID when the ID number is already held.
func AddApplicant(ctx context.Context, tx pgx.Tx, sealer *pii.Sealer, v Values, today time.Time) (int64, error) {
	if v.Category != "applicant" {
		return 0, fmt.Errorf("member: add applicant: category %q", v.Category)
	}
	id, err := insertMember(ctx, tx, sealer, v, Arrival{}, today)
	if err != nil {
		return 0, fmt.Errorf("member: add applicant: %w", err)
	}
	return id, nil
}

// ErrNotPresent: the member has already left (transferred out, struck off…).
var ErrNotPresent = errors.New("member: not present in the branch")
