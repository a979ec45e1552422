//! Upwork job ids: `~0` followed by hex digits, covering the new form (`~02` + digits) and
//! the older one (`~01` + hex).

/// The longest job id we accept (real ones are 19-22 characters).
pub const MAX_JOB_ID_LEN: usize = 40;

/// Whether `s` is a job id: `~0` then at least one lowercase hex digit, nothing else.
pub fn is_job_id(s: &str) -> bool {
    s.len() <= MAX_JOB_ID_LEN && s.strip_prefix("~0").is_some_and(|rest| !rest.is_empty() && rest.bytes().all(is_hex))
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

/// The job id in a page URL: the first `~0<hex>` run of its path, else of the rest.
pub fn job_id_from_url(url: &str) -> Option<String> {
    let split = url.find(['?', '#']).unwrap_or(url.len());
    let (path, rest) = url.split_at(split);
    first_job_id(path).or_else(|| first_job_id(rest))
}

fn first_job_id(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(pos) = text[from..].find("~0") {
        let start = from + pos;
        let digits = bytes[start + 2..].iter().take_while(|&&b| is_hex(b)).count();
        if digits > 0 && digits + 2 <= MAX_JOB_ID_LEN {
            return Some(text[start..start + 2 + digits].to_owned());
        }
        from = start + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_id_forms_from_real_url_shapes() {
        let cases = [
            ("https://www.upwork.com/nx/proposals/job/~021998744339961847531/apply/", "~021998744339961847531"),
            ("https://www.upwork.com/ab/proposals/job/~0133110211e88e3a06/apply/", "~0133110211e88e3a06"),
            ("https://www.upwork.com/jobs/Some-title_~021999060037801980319/", "~021999060037801980319"),
            ("https://www.upwork.com/jobs/~021998744339961847531", "~021998744339961847531"),
            (
                "https://www.upwork.com/nx/find-work/most-recent/details/~021999055296412911573?pageTitle=Job%20Details&_modalInfo=%5B%5D",
                "~021999055296412911573",
            ),
            ("https://www.upwork.com/nx/search/jobs/details/~0133110211e88e3a06?q=react", "~0133110211e88e3a06"),
        ];
        for (url, want) in cases {
            assert_eq!(job_id_from_url(url).as_deref(), Some(want), "{url}");
            assert!(is_job_id(want));
        }
    }

    #[test]
    fn pages_without_a_job_have_none() {
        for url in [
            "https://www.upwork.com/nx/find-work/",
            "https://www.upwork.com/nx/find-work/best-matches",
            "https://www.upwork.com/nx/search/jobs/?q=react&sort=recency",
            "https://www.upwork.com/freelancers/~0",
        ] {
            assert_eq!(job_id_from_url(url), None, "{url}");
        }
    }

    #[test]
    fn path_wins_over_query() {
        let url = "https://www.upwork.com/jobs/~02aaa1?ref=~01bbb2";
        assert_eq!(job_id_from_url(url).as_deref(), Some("~02aaa1"));
        assert_eq!(job_id_from_url("https://www.upwork.com/x?ref=~01bbb2").as_deref(), Some("~01bbb2"));
    }

    #[test]
    fn job_id_shape() {
        assert!(!is_job_id("~0"));
        assert!(!is_job_id("~0ABC"));
        assert!(!is_job_id("021998744339961847531"));
        assert!(!is_job_id("~02199874433996184753x"));
        assert!(!is_job_id(&format!("~0{}", "1".repeat(40))));
    }
}
