package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/contextlens/contextlens/backend/contextlens"
)

// errorBody is the one error shape of the API:
// {"error":{"code":"...","message":"...","details":...}}.
type errorBody struct {
	Error errorPayload `json:"error"`
}

type errorPayload struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details any    `json:"details,omitempty"`
}

// apiError is an error with its HTTP status; only this package knows statuses.
type apiError struct {
	status  int
	code    string
	message string
	details any
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func newError(status int, code, message string) *apiError {
	return &apiError{status: status, code: code, message: message}
}

// statusOf maps domain error codes to HTTP statuses.
var statusOf = map[string]int{
	contextlens.EINVALID:      http.StatusUnprocessableEntity,
	contextlens.ENOTFOUND:     http.StatusNotFound,
	contextlens.ECONFLICT:     http.StatusConflict,
	contextlens.EPRECONDITION: http.StatusPreconditionRequired,
	contextlens.ESTALE:        http.StatusPreconditionFailed,
	contextlens.EUNAUTHORIZED: http.StatusUnauthorized,
	contextlens.EFORBIDDEN:    http.StatusForbidden,
	contextlens.EUNAVAILABLE:  http.StatusServiceUnavailable,
	contextlens.EINTERNAL:     http.StatusInternalServerError,
}

// errorHandler writes every error in the API's shape. Internal errors are
// logged and shown only as "internal error"; nothing of the input is echoed.
func errorHandler(logger *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		var body errorPayload
		status := http.StatusInternalServerError
		var ae *apiError
		var he *echo.HTTPError
		var de *contextlens.Error
		switch {
		case errors.As(err, &ae):
			status, body = ae.status, errorPayload{ae.code, ae.message, ae.details}
		case errors.As(err, &de):
			status = statusOf[de.Code]
			if status == 0 {
				status = http.StatusInternalServerError
			}
			body = errorPayload{de.Code, de.Message, de.Details}
		case errors.As(err, &he):
			status = he.Code
			body = errorPayload{httpCode(status), http.StatusText(status), nil}
		}
		if status >= 500 {
			if status == http.StatusInternalServerError {
				body = errorPayload{Code: contextlens.EINTERNAL, Message: "internal error"}
			}
			logger.Error("request failed", "method", c.Request().Method, "path", c.Path(), "status", status, "err", err)
		}
		var werr error
		if c.Request().Method == http.MethodHead {
			werr = c.NoContent(status)
		} else {
			werr = c.JSON(status, errorBody{body})
		}
		if werr != nil {
			logger.Debug("writing error response", "err", werr)
		}
	}
}

// httpCode names the errors echo raises itself (unknown route, wrong method...).
func httpCode(status int) string {
	switch status {
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusTooManyRequests:
		return "rate_limited"
	case http.StatusUnauthorized:
		return contextlens.EUNAUTHORIZED
	case http.StatusForbidden:
		return contextlens.EFORBIDDEN
	case http.StatusServiceUnavailable:
		return contextlens.EUNAVAILABLE
	default:
		if status >= 500 {
			return contextlens.EINTERNAL
		}
		return "bad_request"
	}
}
