package main

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// config is every setting of the server and the tools that share its
// store and keys. Each has a CONTEXTLENS_* variable; a flag of the same
// name (lower-case, dashes) overrides it. README's settings table lists them.
type config struct {
	Addr           string
	RulesDir       string
	RedisURL       string
	RedisPrefix    string
	LogLevel       string
	Env            string
	DataDir        string
	DatabaseURL    string
	JWTSecret      string
	JWTKeyID       string
	JWTPrevSecret  string
	JWTPrevKeyID   string
	JWTPublicKeys  string // comma-separated kid=path.pem
	JWKSURL        string
	JWTIssuer      string
	JWTAudience    string
	TrustedProxies string
	RateLimit      string
}

// setting describes one variable: its name, default and help.
type setting struct {
	env, def, help string
	dst            func(*config) *string
	secret         bool
}

var settings = []setting{
	{"CONTEXTLENS_ADDR", "127.0.0.1:8080", "listen address (host:port)", func(c *config) *string { return &c.Addr }, false},
	{"CONTEXTLENS_RULES_DIR", "./rules", "rules directory: seeds a new store; read by annotate, eval and rules check", func(c *config) *string { return &c.RulesDir }, false},
	{"CONTEXTLENS_REDIS_URL", "", "redis:// or rediss:// URL; empty: no Redis", func(c *config) *string { return &c.RedisURL }, false},
	{"CONTEXTLENS_REDIS_PREFIX", "contextlens:", "prefix of every Redis key and channel (several deployments can share a Redis)", func(c *config) *string { return &c.RedisPrefix }, false},
	{"CONTEXTLENS_LOG_LEVEL", "info", "debug, info, warn or error", func(c *config) *string { return &c.LogLevel }, false},
	{"CONTEXTLENS_ENV", "development", "development or production (production refuses to start without configured JWT keys)", func(c *config) *string { return &c.Env }, false},
	{"CONTEXTLENS_DATA_DIR", "./data", "directory of the embedded SQLite store and the local JWT secret", func(c *config) *string { return &c.DataDir }, false},
	{"CONTEXTLENS_DATABASE_URL", "", "postgres:// URL; empty: embedded SQLite in the data dir", func(c *config) *string { return &c.DatabaseURL }, true},
	{"CONTEXTLENS_JWT_SECRET", "", "HS256 secret (at least 32 bytes) for admin tokens", func(c *config) *string { return &c.JWTSecret }, true},
	{"CONTEXTLENS_JWT_KEY_ID", "current", "kid of CONTEXTLENS_JWT_SECRET", func(c *config) *string { return &c.JWTKeyID }, false},
	{"CONTEXTLENS_JWT_PREVIOUS_SECRET", "", "previous HS256 secret, still accepted during a rotation", func(c *config) *string { return &c.JWTPrevSecret }, true},
	{"CONTEXTLENS_JWT_PREVIOUS_KEY_ID", "previous", "kid of CONTEXTLENS_JWT_PREVIOUS_SECRET", func(c *config) *string { return &c.JWTPrevKeyID }, false},
	{"CONTEXTLENS_JWT_PUBLIC_KEYS", "", "Ed25519 public keys of an identity provider: kid=path.pem[,kid=path.pem] (first is current)", func(c *config) *string { return &c.JWTPublicKeys }, false},
	{"CONTEXTLENS_JWKS_URL", "", "https URL of an identity provider's JWKS (Ed25519 keys), refreshed every 10 minutes", func(c *config) *string { return &c.JWKSURL }, false},
	{"CONTEXTLENS_JWT_ISSUER", "contextlens", "required iss of admin tokens", func(c *config) *string { return &c.JWTIssuer }, false},
	{"CONTEXTLENS_JWT_AUDIENCE", "contextlens-admin", "required aud of admin tokens", func(c *config) *string { return &c.JWTAudience }, false},
	{"CONTEXTLENS_TRUSTED_PROXIES", "", "CIDRs of reverse proxies whose X-Forwarded-For is believed (comma-separated)", func(c *config) *string { return &c.TrustedProxies }, false},
	{"CONTEXTLENS_RATE_LIMIT", "20", "annotate requests per second per client address (burst twice that); 0 disables", func(c *config) *string { return &c.RateLimit }, false},
}

// loadConfig reads the environment, then the flags in args that name a
// setting. Other flags are for the caller's own flag set (extra).
func loadConfig(e env, name string, args []string, extra func(*flag.FlagSet)) (config, *flag.FlagSet, error) {
	var cfg config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	for _, s := range settings {
		v := e.getenv(s.env)
		if v == "" {
			v = s.def
		}
		*s.dst(&cfg) = v
		flagName := strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(s.env, "CONTEXTLENS_")), "_", "-")
		help := s.help + " (" + s.env + ")"
		fs.StringVar(s.dst(&cfg), flagName, v, help)
	}
	// --rules is the historical short name of --rules-dir.
	fs.StringVar(&cfg.RulesDir, "rules", cfg.RulesDir, "rules directory (CONTEXTLENS_RULES_DIR)")
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, fs, exitError{2}
	}
	return cfg, fs, cfg.validate()
}

// validate reports every problem at once.
func (c config) validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		add("CONTEXTLENS_ADDR %q: want host:port", c.Addr)
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		add("%v", err)
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		add("CONTEXTLENS_REDIS_URL: want a redis:// or rediss:// URL")
	}
	if c.Env != "development" && c.Env != "production" {
		add("CONTEXTLENS_ENV %q: want development or production", c.Env)
	}
	if c.DatabaseURL != "" {
		if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			add("CONTEXTLENS_DATABASE_URL: want a postgres:// URL")
		}
	}
	if c.JWTSecret != "" && len(c.JWTSecret) < 32 {
		add("CONTEXTLENS_JWT_SECRET: must be at least 32 bytes")
	}
	if c.JWTPrevSecret != "" && len(c.JWTPrevSecret) < 32 {
		add("CONTEXTLENS_JWT_PREVIOUS_SECRET: must be at least 32 bytes")
	}
	if c.JWTPrevSecret != "" && c.JWTSecret == "" {
		add("CONTEXTLENS_JWT_PREVIOUS_SECRET needs CONTEXTLENS_JWT_SECRET")
	}
	sources := 0
	for _, v := range []string{c.JWTSecret, c.JWTPublicKeys, c.JWKSURL} {
		if v != "" {
			sources++
		}
	}
	if sources > 1 {
		add("set only one of CONTEXTLENS_JWT_SECRET, CONTEXTLENS_JWT_PUBLIC_KEYS, CONTEXTLENS_JWKS_URL")
	}
	if c.Env == "production" && sources == 0 {
		add("CONTEXTLENS_ENV=production needs configured JWT keys (CONTEXTLENS_JWT_SECRET, CONTEXTLENS_JWT_PUBLIC_KEYS or CONTEXTLENS_JWKS_URL)")
	}
	if c.JWKSURL != "" && !strings.HasPrefix(c.JWKSURL, "https://") {
		add("CONTEXTLENS_JWKS_URL: must be an https URL")
	}
	if _, err := c.trustedProxies(); err != nil {
		add("%v", err)
	}
	if r, err := strconv.ParseFloat(c.RateLimit, 64); err != nil || r < 0 {
		add("CONTEXTLENS_RATE_LIMIT %q: want a number of requests per second (0 disables)", c.RateLimit)
	}
	if len(problems) > 0 {
		return fmt.Errorf("invalid settings:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

func (c config) trustedProxies() ([]*net.IPNet, error) {
	var nets []*net.IPNet
	for _, s := range strings.Split(c.TrustedProxies, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return nil, fmt.Errorf("CONTEXTLENS_TRUSTED_PROXIES: %q is not a CIDR", s)
		}
		nets = append(nets, n)
	}
	return nets, nil
}

// databaseDSN is the PostgreSQL URL, or the SQLite file in the data dir.
func (c config) databaseDSN() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return sqliteFile(c.DataDir)
}
