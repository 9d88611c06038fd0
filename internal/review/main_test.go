package review_test

import (
	"strconv"
	"testing"

	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
