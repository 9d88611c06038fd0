package commend

// key builds a translation key from a prefix and a value.
func key(prefix, v string) string { return prefix + v }
