package meeting

import (
	"context"

	"zhibu/internal/ui"
)

// joinNames lists names the reader's way: 张三、李四 or Zhang San, Li Si.
func joinNames(ctx context.Context, names []string) string {
	if len(names) == 0 {
		return ""
	}
	out := names[0]
	for _, n := range names[1:] {
		out = ui.T(ctx, "meeting.name_pair", out, n)
	}
	return out
}
