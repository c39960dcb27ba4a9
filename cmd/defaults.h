/*
 * defaults: the options a user sets once for every run, where GNU
 * parallel users keep them, so that their set-ups carry over.  In order,
 * later ones overriding earlier ones:
 *
 *   /etc/parallel/config, then "config" in each of GNU's config
 *   directories ($PARALLEL_HOME, $XDG_CONFIG_HOME/parallel, each of
 *   $XDG_CONFIG_DIRS/parallel, ~/.parallel: those that exist),
 *   ~/.parallelrc, and parx's own ${XDG_CONFIG_HOME:-~/.config}/parx/config;
 *   or instead of all of these, the -J profiles, each looked up in the
 *   same directories;
 *   then $PARALLEL;
 *   then the command line.
 *
 * --plain skips all but the command line.
 */
#ifndef PARX_DEFAULTS_H
#define PARX_DEFAULTS_H

struct defaults {
	int		  argc;
	char		**argv;		/* the defaults, then the command line */
	const char	**origin;	/* for argv[i]: "FILE:LINE",
					   "$PARALLEL", or NULL (typed) */
	char		***words;	/* what argv points into */
	char		**names;	/* what origin points into */
	int		  nwords, nnames;
};

/*
 * Fills d from the defaults and the command line.  Prints and exits 255
 * on a file that exists but cannot be read or parsed, or a -J profile
 * that is nowhere.
 */
void	defaults_read(struct defaults *d, int argc, char **argv);
void	defaults_free(struct defaults *d);

/*
 * GNU parallel's own directory: $PARALLEL_HOME, else ~/.parallel (the
 * caller frees it), or NULL without a home.
 */
char	*defaults_gnu_home(void);

#endif
