package seed

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
)

// files loads the demo's uploaded files: a plan answer with its evidence
// (a PDF) in the demo branch and in another branch, and a member's
// credit claim that rests on a file alone, waiting for the secretary;
// photos of a featured case and of a case awaiting review.
func (g *gen) files(ctx context.Context) error {
	pdf := demoPDF("Zhibu demo: evidence of a plan task")
	stmts := []struct {
		sql  string
		args []any
	}{
		// The answered task of 办公室 and of 综合规划处, each with its file.
		{`INSERT INTO plan_answer_files (answer_id, filename, content_type, size_bytes, data, uploaded_by, uploaded_at)
		  SELECT a.id, o.name || '组织生活会准备情况.pdf', 'application/pdf', $1, $2, a.answered_by, a.answered_on
		    FROM plan_answers a JOIN plan_tasks t ON t.id = a.task_id JOIN organisations o ON o.id = a.org_id
		   WHERE t.title = '报送年度组织生活会准备情况' AND a.state = 'answered' AND o.name IN ('办公室党支部', '综合规划处党支部')`,
			[]any{len(pdf), pdf}},
	}
	for _, s := range stmts {
		tag, err := g.tx.Exec(ctx, s.sql, s.args...)
		if err != nil {
			return fmt.Errorf("files: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("files: no row for %.60s", s.sql)
		}
	}
	// A member of the demo branch claims hours with a file and no
	// certificate number; pending.
	cert := demoPNG(240, 160, color.RGBA{0xb7, 0x1c, 0x1c, 0xff})
	tag, err := g.tx.Exec(ctx, `
INSERT INTO credit_requests (member_id, title, kind, hours, earned_on, file_name, file_type, file_data)
SELECT m.id, '党校在线课程：党的纪律建设', 'online', 3, $1, '结业证书截图.png', 'image/png', $2
  FROM members m
 WHERE m.branch_id = (SELECT mb.branch_id FROM members mb JOIN accounts a ON a.member_id = mb.id WHERE a.username = 'member')
   AND in_good_standing(m.category, m.party_status)
   AND m.id NOT IN (SELECT member_id FROM credit_requests) AND m.id NOT IN (SELECT member_id FROM accounts WHERE member_id IS NOT NULL)
 ORDER BY m.id DESC LIMIT 1`, g.today.AddDate(0, 0, -3), cert)
	if err != nil {
		return fmt.Errorf("files: credit claim: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("files: no member for the credit claim with a file")
	}
	// Photos of cases: two of the demo branch's first featured case (the
	// library shows the first), one of 财务处's case awaiting review.
	for _, ph := range []struct {
		branch, status, caption string
		colour                  color.RGBA
	}{
		{"办公室党支部", "approved", "党员先锋岗在政务服务窗口挂牌", color.RGBA{0xb7, 0x1c, 0x1c, 0xff}},
		{"办公室党支部", "approved", "支部集中学习现场", color.RGBA{0x1c, 0x4f, 0xb7, 0xff}},
		{"财务处党支部", "submitted", "预算编制攻坚现场", color.RGBA{0x2e, 0x7d, 0x32, 0xff}},
	} {
		img := demoPNG(320, 200, ph.colour)
		tag, err := g.tx.Exec(ctx, `
INSERT INTO case_photos (case_id, caption, content_type, size_bytes, data, uploaded_at)
SELECT c.id, $3, 'image/png', $4, $5, c.submitted_at
  FROM cases c JOIN organisations o ON o.id = c.branch_id
 WHERE o.name = $1 AND c.status = $2 AND (c.featured OR $2 <> 'approved')
 ORDER BY c.id LIMIT 1`, ph.branch, ph.status, ph.caption, len(img), img)
		if err != nil {
			return fmt.Errorf("files: case photo: %w", err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("files: no case of %s for a photo", ph.branch)
		}
	}
	return nil
}

// demoPNG draws a small picture: a coloured banner with a lighter band
// and a frame, enough to show as a photo or a certificate.
func demoPNG(w, h int, c color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			px := c
			switch {
			case x < 4 || y < 4 || x >= w-4 || y >= h-4:
				px = color.RGBA{0xf5, 0xc5, 0x42, 0xff}
			case y > h/3 && y < 2*h/3:
				px = color.RGBA{uint8(min(255, int(c.R)+60)), uint8(min(255, int(c.G)+60+x*60/w)), uint8(min(255, int(c.B)+60)), 0xff}
			}
			img.Set(x, y, px)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // encoding an in-memory RGBA image does not fail
	}
	return b.Bytes()
}

// demoPDF writes a one-page PDF with a line of (ASCII) text, its cross
// reference table computed.
func demoPDF(text string) []byte {
	stream := fmt.Sprintf("BT /F1 18 Tf 72 720 Td (%s) Tj ET", text)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}
