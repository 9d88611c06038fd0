package ui

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"zhibu/web"
)

// asset is one static file with its content hash.
type asset struct {
	data  []byte
	ctype string
	url   string
}

var assets = loadAssets()

func loadAssets() map[string]asset {
	out := map[string]asset{}
	err := fs.WalkDir(web.Static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(web.Static, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(b)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		out[name] = asset{data: b, ctype: mime.TypeByExtension(ext), url: "/static/" + hashed}
		return nil
	})
	if err != nil {
		panic("ui: load assets: " + err.Error())
	}
	return out
}

// Asset returns the content-hashed URL of a static file, e.g.
// Asset("app.css") → "/static/app.3f2a9c1b0d4e.css".
func Asset(name string) string {
	if a, ok := assets[name]; ok {
		return a.url
	}
	return "/static/" + name
}

// StaticHandler serves the embedded files at their hashed URLs with a
// one-year cache lifetime; a stale hash is a 404, never old content.
func StaticHandler() http.Handler {
	byURL := map[string]asset{}
	for _, a := range assets {
		byURL[a.url] = a
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := byURL[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", a.ctype)
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		_, _ = w.Write(a.data)
	})
}
