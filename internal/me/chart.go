package me

import (
	"math"
	"strconv"
)

// Bar is one month of the hours chart, in SVG units (the chart is 240 by
// 120 with the bars standing on y = 100).
type Bar struct {
	Month  int
	Hours  float64
	X      string
	Y      string
	Height string
	LabelX string
}

// chartScale is the value at the top of the chart: the largest month, or
// the monthly pace of the minimum when that is larger.
func chartScale(months [12]float64, minimum float64) float64 {
	top := minimum / 12
	for _, h := range months {
		top = math.Max(top, h)
	}
	if top <= 0 {
		return 1
	}
	return top
}

func f1(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// Bars lays out the monthly hours as bars.
func (p Page) Bars() []Bar {
	top := chartScale(p.Months, p.Minimum)
	bars := make([]Bar, 12)
	for i, h := range p.Months {
		height := h / top * 90
		x := 4 + float64(i)*19.5
		bars[i] = Bar{Month: i + 1, Hours: h, X: f1(x), Y: f1(100 - height), Height: f1(height), LabelX: f1(x + 7)}
	}
	return bars
}

// PaceY is the height of the dashed line that marks the monthly pace
// needed to reach the minimum.
func (p Page) PaceY() string {
	top := chartScale(p.Months, p.Minimum)
	return f1(100 - p.Minimum/12/top*90)
}

func kindKey(kind string) string        { return "meeting.kind." + kind }
func attKey(status string) string       { return "meeting.att." + status }
func creditKindKey(kind string) string  { return "meeting.credit_kind." + kind }
func appraisalKey(result string) string { return "me.appraisal." + result }
func levelKey(level string) string      { return "me.level." + level }
