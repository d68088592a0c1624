/* Runs first, in <head>: with scripts on, the menu button (not the open list) shows. */
document.documentElement.classList.add("js");
