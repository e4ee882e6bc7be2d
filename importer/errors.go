package importer

import (
	"errors"
	"fmt"

	"github.com/callstackhq/callstack/campaign"
)

var (
	// ErrInvalidConfig is returned by New for a Config missing a
	// required dependency.
	ErrInvalidConfig = errors.New("importer: invalid config")
	// ErrInvalidOptions is returned for Options that cannot work: an
	// unknown duplicate policy, required field or encoding, a mapping that
	// does not fit the header or maps no phone column (the message lists
	// the header's names), Columns naming a header the file lacks.
	ErrInvalidOptions = errors.New("importer: invalid options")
	// ErrNotCSV is returned when the input cannot be read as CSV at all:
	// it is empty, has no header row, holds binary data (NUL bytes once
	// decoded), its header row has unbalanced quotes, or its header is
	// not UTF-8 when Options.Encoding forces UTF-8.
	ErrNotCSV = errors.New("importer: not a CSV file")
	// ErrTooLarge is returned when the input is larger than
	// Config.MaxBytes. When the size is known up front (an *os.File, a
	// *bytes.Reader, a *strings.Reader) nothing is imported; otherwise the
	// import stops where the limit is crossed, and every row read before
	// it is imported and counted.
	ErrTooLarge = errors.New("importer: file too large")
	// ErrCancelled is returned, wrapping ctx.Err(), when the import's
	// context ends; the Result and the history entry hold the counts of
	// the rows finished so far.
	ErrCancelled = errors.New("importer: cancelled")
	// ErrNotFound is returned when a history entry, a remembered mapping
	// or a name does not exist. It wraps campaign.ErrNotFound.
	ErrNotFound = fmt.Errorf("importer: %w", campaign.ErrNotFound)
)
