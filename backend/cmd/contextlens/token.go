package main

import (
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/contextlens/contextlens/backend/auth"
)

// maxTokenTTL bounds minted tokens: admin tokens should be short-lived.
const maxTokenTTL = 30 * 24 * time.Hour

func cmdToken(e env, args []string) error {
	var sub, role string
	var ttl time.Duration
	cfg, fs, err := loadConfig(e, "token", args, func(fs *flag.FlagSet) {
		fs.StringVar(&sub, "sub", "", "who the token is for (recorded as the author of changes)")
		fs.StringVar(&role, "role", "", "viewer, editor, publisher or admin")
		fs.DurationVar(&ttl, "ttl", time.Hour, "lifetime of the token")
	})
	if err != nil {
		return err
	}
	if fs.NArg() > 0 || sub == "" || role == "" {
		fmt.Fprintln(e.stderr, "usage: contextlens token --sub NAME --role ROLE [--ttl 1h]")
		return exitError{2}
	}
	r, err := auth.ParseRole(role)
	if err != nil {
		return err
	}
	if ttl <= 0 || ttl > maxTokenTTL {
		return fmt.Errorf("--ttl must be between 1s and %s", maxTokenTTL)
	}
	ctx, cancel := contextWithTimeout(10 * time.Second)
	defer cancel()
	_, signing, err := cfg.keys(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	if signing == nil {
		return fmt.Errorf("tokens come from your identity provider when CONTEXTLENS_JWT_PUBLIC_KEYS or CONTEXTLENS_JWKS_URL is set")
	}
	issuer, err := auth.NewIssuer(signing, cfg.authConfig())
	if err != nil {
		return err
	}
	tok, err := issuer.Mint(sub, r, ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, tok)
	return nil
}
