DROP FUNCTION terms_on(date);
DROP FUNCTION in_good_standing(text, text);
