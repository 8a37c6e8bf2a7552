package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// EncodePlan writes a plan file: indented JSON, one stable shape (see Plan).
func EncodePlan(p Plan) ([]byte, error) {
	if p.Version == 0 {
		p.Version = PlanVersion
	}
	if p.Semantics == "" {
		p.Semantics = p.Key.Semantics()
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := p.CheckLacking(); err != nil {
		return nil, err
	}
	// Values as the driver wrote them: "AT&T", not encoding/json's "AT\u0026T".
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// DecodePlan reads a plan file and checks it; unknown fields are an error, so a plan written
// by a newer dupes, or a file that is not a plan, is refused rather than half-read.
func DecodePlan(b []byte) (Plan, error) {
	var p Plan
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Plan{}, fmt.Errorf("not a dupes plan file: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Plan{}, fmt.Errorf("not a dupes plan file: text after the plan's JSON object, at byte %d", dec.InputOffset())
	}
	if err := p.Validate(); err != nil {
		return Plan{}, fmt.Errorf("invalid plan file: %w", err)
	}
	if err := p.CheckLacking(); err != nil {
		return Plan{}, fmt.Errorf("invalid plan file: %w", err)
	}
	return p, nil
}
