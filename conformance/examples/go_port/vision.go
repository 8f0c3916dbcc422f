package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"math"
	"math/big"
	"regexp"
	"strings"
)

type jsonNumber = json.Number

// integer is the value of a JSON number that is a whole number that fits an int64. The value
// counts, not the spelling: 4, 4.0 and 4e0 are all 4 (the vectors never depend on telling
// them apart), while 4.5 is not an integer.
func integer(value any) (int64, bool) {
	n, ok := value.(jsonNumber)
	if !ok {
		return 0, false // a string, a boolean, null...
	}
	r, ok := new(big.Rat).SetString(string(n))
	if !ok || !r.IsInt() || !r.Num().IsInt64() {
		return 0, false
	}
	return r.Num().Int64(), true
}

// errorName is a vector's error ("invalid_box", ...), returned as a Go error.
type errorName string

func (e errorName) Error() string { return string(e) }

// outcome compares a result or an error with the case: its "error", or its expected value.
func outcome(c map[string]any, key string, got any, err error) []string {
	if expected, ok := c["error"]; ok {
		if err == nil || err.Error() != expected {
			return []string{fmt.Sprintf("got %s (error %v), expected the error %v", show(got), err, expected)}
		}
		return nil
	}
	if err != nil {
		return []string{fmt.Sprintf("got the error %v, expected %s", err, show(c[key]))}
	}
	if !same(got, c[key]) {
		return []string{fmt.Sprintf("got %s, expected %s", show(got), show(c[key]))}
	}
	return nil
}

func checkSize(width, height any) (int64, int64, error) {
	wi, okW := integer(width)
	hi, okH := integer(height)
	if !okW || !okH || wi <= 0 || hi <= 0 {
		return 0, 0, errorName("invalid_size")
	}
	return wi, hi, nil
}

// normalized checks a box_2d: four finite numbers in [0, 1000], ymin < ymax, xmin < xmax.
// Each is taken exactly as the double it is read as, then computed with as a rational.
func normalized(value any) ([4]*big.Rat, error) {
	var box [4]*big.Rat
	items, ok := value.([]any)
	if !ok || len(items) != 4 {
		return box, errorName("invalid_box")
	}
	for i, item := range items {
		n, ok := item.(jsonNumber)
		if !ok {
			return box, errorName("invalid_box") // a string, a boolean, null...
		}
		f, err := n.Float64()
		if err != nil || math.IsInf(f, 0) || f < 0 || f > 1000 {
			return box, errorName("invalid_box")
		}
		box[i] = new(big.Rat).SetFloat64(f)
	}
	if box[0].Cmp(box[2]) >= 0 || box[1].Cmp(box[3]) >= 0 {
		return box, errorName("invalid_box")
	}
	return box, nil
}

// floorScaled is floor(v * size / 1000), exactly.
func floorScaled(v *big.Rat, size int64) int64 {
	scaled := new(big.Rat).Mul(v, big.NewRat(size, 1000))
	return new(big.Int).Quo(scaled.Num(), scaled.Denom()).Int64() // v >= 0: Quo floors
}

// toPixels: box_2d [ymin, xmin, ymax, xmax] in 0-1000 to the pixel box [x1, y1, x2, y2].
func toPixels(box2d, width, height any) ([]int64, error) {
	w, h, err := checkSize(width, height)
	if err != nil {
		return nil, err
	}
	b, err := normalized(box2d)
	if err != nil {
		return nil, err
	}
	return []int64{floorScaled(b[1], w), floorScaled(b[0], h), floorScaled(b[3], w), floorScaled(b[2], h)}, nil
}

func checkToPixels(c map[string]any) []string {
	box, err := toPixels(c["box_2d"], c["width"], c["height"])
	return outcome(c, "box", box, err)
}

// ceilScaled is ceil(1000 * p / size) for a non-negative integer p.
func ceilScaled(p, size int64) int64 {
	return (1000*p + size - 1) / size
}

// toNormalized: a pixel box [x1, y1, x2, y2] (integers inside the image, in order) to box_2d.
func toNormalized(value, width, height any) ([]int64, error) {
	w, h, err := checkSize(width, height)
	if err != nil {
		return nil, err
	}
	items, ok := value.([]any)
	if !ok || len(items) != 4 {
		return nil, errorName("invalid_box")
	}
	var p [4]int64
	for i, item := range items {
		var ok bool
		if p[i], ok = integer(item); !ok {
			return nil, errorName("invalid_box")
		}
	}
	x1, y1, x2, y2 := p[0], p[1], p[2], p[3]
	if !(0 <= x1 && x1 <= x2 && x2 <= w && 0 <= y1 && y1 <= y2 && y2 <= h) {
		return nil, errorName("invalid_box")
	}
	return []int64{ceilScaled(y1, h), ceilScaled(x1, w), ceilScaled(y2, h), ceilScaled(x2, w)}, nil
}

func checkToNormalized(c map[string]any) []string {
	box2d, err := toNormalized(c["box"], c["width"], c["height"])
	return outcome(c, "box_2d", box2d, err)
}

var fence = regexp.MustCompile("(?i)^```(json)?$")

// parseJSON: the JSON inside a Markdown fence (a line of its own, ```json or ```), or the text.
func parseJSON(text string) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i, line := range lines {
		if fence.MatchString(strings.TrimSpace(line)) {
			rest := strings.Join(lines[i+1:], "\n")
			return strings.SplitN(rest, "```", 2)[0]
		}
	}
	return text
}

// boxesFromResponse: every usable box of a detection answer, in pixels, with its label.
func boxesFromResponse(text string, width, height any) ([]any, error) {
	var items []any
	if err := strictJSON(parseJSON(text), &items); err != nil {
		return nil, err
	}
	found := []any{}
	for _, item := range items {
		object, ok := item.(map[string]any)
		if !ok {
			continue
		}
		box, err := toPixels(object["box_2d"], width, height)
		if err != nil || box[2] == box[0] || box[3] == box[1] {
			continue
		}
		label, _ := object["label"].(string)
		var shown any = label
		if _, ok := object["label"].(string); !ok {
			shown = nil
		}
		found = append(found, map[string]any{"box": box, "label": shown})
	}
	return found, nil
}

func checkBoxesFromResponse(c map[string]any) []string {
	boxes, err := boxesFromResponse(c["text"].(string), c["width"], c["height"])
	return outcome(c, "boxes", boxes, err)
}

const defaultThreshold = 127

func thresholdOf(c map[string]any) (int64, error) {
	value, ok := c["threshold"]
	if !ok {
		return defaultThreshold, nil
	}
	t, ok := integer(value)
	if !ok || t < 0 || t > 255 {
		return 0, errorName("invalid_threshold")
	}
	return t, nil
}

// binarize: one string of 0 and 1 per row, 1 where value > threshold.
func binarize(values [][]int64, threshold int64) []string {
	rows := []string{}
	for _, row := range values {
		var bits strings.Builder
		for _, v := range row {
			if v > threshold {
				bits.WriteByte('1')
			} else {
				bits.WriteByte('0')
			}
		}
		rows = append(rows, bits.String())
	}
	return rows
}

func checkBinarize(c map[string]any) []string {
	threshold, err := thresholdOf(c)
	var bits []string
	if err == nil {
		var values [][]int64
		for _, row := range c["values"].([]any) {
			var out []int64
			for _, v := range row.([]any) {
				n, _ := integer(v)
				out = append(out, n)
			}
			values = append(values, out)
		}
		bits = binarize(values, threshold)
	}
	return outcome(c, "bits", bits, err)
}

const dataURL = "data:image/png;base64,"

// maskPNG: the PNG of a mask (base64 in either alphabet, padded or not, maybe a data URL).
func maskPNG(mask string) ([]byte, error) {
	text := strings.TrimSpace(mask)
	if strings.HasPrefix(text, "data:") {
		if !strings.HasPrefix(text, dataURL) {
			return nil, errorName("invalid_mask")
		}
		text = strings.TrimPrefix(text, dataURL)
	}
	text = strings.NewReplacer("-", "+", "_", "/").Replace(text)
	text = strings.TrimRight(text, "=")
	data, err := base64.RawStdEncoding.DecodeString(text)
	if err != nil || !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		return nil, errorName("invalid_mask")
	}
	return data, nil
}

// maskProbabilities: the mask's 8-bit map resized (bilinear) to the box's pixel size.
func maskProbabilities(mask string, box []int64) ([][]int64, error) {
	width, height := int(box[2]-box[0]), int(box[3]-box[1])
	if width <= 0 || height <= 0 {
		return nil, errorName("invalid_box")
	}
	data, err := maskPNG(mask)
	if err != nil {
		return nil, err
	}
	picture, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, errorName("invalid_mask")
	}
	bounds := picture.Bounds()
	source := make([][]float64, bounds.Dy())
	for y := range source {
		source[y] = make([]float64, bounds.Dx())
		for x := range source[y] {
			gray := image.NewGray(image.Rect(0, 0, 1, 1))
			gray.Set(0, 0, picture.At(bounds.Min.X+x, bounds.Min.Y+y))
			source[y][x] = float64(gray.Pix[0])
		}
	}
	rows := resize(transpose(resize(transpose(source), height)), width) // columns, then rows
	out := make([][]int64, height)
	for y := range out {
		out[y] = make([]int64, width)
		for x := range out[y] {
			out[y][x] = int64(math.Round(rows[y][x]))
		}
	}
	return out, nil
}

func transpose(m [][]float64) [][]float64 {
	if len(m) == 0 {
		return m
	}
	out := make([][]float64, len(m[0]))
	for x := range out {
		out[x] = make([]float64, len(m))
		for y := range m {
			out[x][y] = m[y][x]
		}
	}
	return out
}

// resize resamples every row to size values with a triangle (bilinear) filter, widened
// when shrinking as Pillow does; the same size is left as it is.
func resize(rows [][]float64, size int) [][]float64 {
	out := make([][]float64, len(rows))
	for r, row := range rows {
		if len(row) == size {
			out[r] = row
			continue
		}
		scale := float64(len(row)) / float64(size)
		support := math.Max(scale, 1)
		out[r] = make([]float64, size)
		for i := range out[r] {
			center := (float64(i) + 0.5) * scale
			low := max(0, int(math.Floor(center-support)))
			high := min(len(row), int(math.Ceil(center+support)))
			var sum, weights float64
			for j := low; j < high; j++ {
				w := math.Max(0, 1-math.Abs((float64(j)+0.5-center)/support))
				sum += w * row[j]
				weights += w
			}
			out[r][i] = math.Round(sum / weights)
		}
	}
	return out
}

func checkDecodeMask(c map[string]any) []string {
	threshold, err := thresholdOf(c)
	var box []int64
	for _, v := range c["box"].([]any) {
		n, _ := integer(v)
		box = append(box, n)
	}
	var probabilities [][]int64
	if err == nil {
		probabilities, err = maskProbabilities(c["mask"].(string), box)
	}
	if err != nil || c["error"] != nil {
		return outcome(c, "bits", nil, err)
	}
	problems := outcome(c, "probabilities", probabilities, nil)
	return append(problems, outcome(c, "bits", binarize(probabilities, threshold), nil)...)
}

const tileTokens, smallSide = 258, 384

var family = regexp.MustCompile(`^(?:models/)?gemini-(1\.5|2\.0|2\.5)(?:-|$)`)

// cropUnit: the side of the tiles an image is cut into, nil for one tile (both sides <= 384).
func cropUnit(width, height any, model string) (any, int64, error) {
	w, h, err := checkSize(width, height)
	if err != nil {
		return nil, 0, err
	}
	found := family.FindStringSubmatch(model)
	if found == nil {
		return nil, 0, errorName("unsupported_model")
	}
	if w <= smallSide && h <= smallSide {
		return nil, 1, nil
	}
	unit := max(1, 2*min(w, h)/3) // floor(min / 1.5)
	if found[1] == "1.5" {
		unit = min(max(unit, 256), 768)
	}
	tiles := ((w + unit - 1) / unit) * ((h + unit - 1) / unit)
	return unit, tiles, nil
}

func checkImageTokens(c map[string]any) []string {
	unit, tiles, err := cropUnit(c["width"], c["height"], c["model"].(string))
	got := map[string]any{"unit": unit, "tiles": tiles, "tokens": tiles * tileTokens}
	if err != nil || c["error"] != nil {
		return outcome(c, "", got, err)
	}
	expected := map[string]any{"unit": c["unit"], "tiles": c["tiles"], "tokens": c["tokens"]}
	if !same(got, expected) {
		return []string{fmt.Sprintf("got %s, expected %s", show(got), show(expected))}
	}
	return nil
}
