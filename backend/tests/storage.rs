//! The database's own guarantees, behind the core's: SQLite's durability settings, the
//! CHECK constraints on the balance row, unique event ids, repeatable migrations.

mod common;

use common::*;
use credits_backend::Store;
use credits_core::Plan;
use credits_core::api::Role;

#[tokio::test]
async fn sqlite_runs_wal_with_full_sync_foreign_keys_and_a_busy_timeout() {
    let db = TestDb::new(Engine::Sqlite).await;
    let store = Store::open(&db.url).await.unwrap();
    let Store::Sqlite { write, read } = &store else { panic!("not SQLite") };
    for pool in [write, read] {
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(pool).await.unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(pool).await.unwrap();
        assert_eq!(sync, 2, "FULL");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(pool).await.unwrap();
        assert_eq!(fk, 1);
        let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(pool).await.unwrap();
        assert!(busy >= 5000, "{busy}");
    }
    store.close().await;
}

#[tokio::test]
async fn the_balance_row_cannot_go_negative_and_event_ids_are_unique() {
    on_each_engine(async |app: &TestApp| {
        let team = app.team(Plan::Lite, 1).await;
        let (_, token) = app.member(&team, "Olena", Role::Owner).await;
        let answer = app.usage(&token, vec![event("answer")]).await;
        let id = answer["results"][0]["id"].as_str().unwrap().to_owned();
        for column in ["extra", "monthly_paid", "used"] {
            let e = exec(&app.store, &format!("UPDATE ledgers SET {column} = -1 WHERE team_id = '{team}'")).await.unwrap_err();
            assert!(e.as_database_error().is_some_and(|d| d.is_check_violation()), "{column}: {e}");
        }
        let e = exec(&app.store, &format!("UPDATE ledgers SET seats = 0 WHERE team_id = '{team}'")).await.unwrap_err();
        assert!(e.as_database_error().is_some_and(|d| d.is_check_violation()), "{e}");
        let member: String = app.get("/v1/me", &token).await.1["member_id"].as_str().unwrap().to_owned();
        let dup = format!(
            "INSERT INTO events (id, team_id, member_id, status, action, occurred_at, recorded_at, bucket, credits) \
             VALUES ('{id}', '{team}', '{member}', 'applied', 'answer', 0, 0, 'monthly', 1)"
        );
        let e = exec(&app.store, &dup).await.unwrap_err();
        assert!(e.as_database_error().is_some_and(|d| d.is_unique_violation()), "{e}");
        // A rejection must carry its reason; an applied row its bucket.
        let e = exec(&app.store, &dup.replace(&id, &uuid::Uuid::new_v4().to_string()).replace("'monthly'", "NULL")).await.unwrap_err();
        assert!(e.as_database_error().is_some_and(|d| d.is_check_violation()), "{e}");
        assert_eq!(scalar(&app.store, "SELECT COUNT(*) FROM events").await, 1);
        assert_eq!(app.balance(&token).await["used"], 1);
    })
    .await;
}

#[tokio::test]
async fn opening_again_keeps_the_data_and_migrates_nothing_twice() {
    for engine in engines() {
        let db = TestDb::new(engine).await;
        let store = Store::open(&db.url).await.unwrap();
        let team =
            credits_backend::ops::create_team(&store, "T", Plan::Pro, 1, None, credits_backend::ops::now(), &Default::default()).await.unwrap();
        store.close().await;
        let store = Store::open(&db.url).await.unwrap();
        assert_eq!(scalar(&store, &format!("SELECT COUNT(*) FROM teams WHERE id = '{team}'")).await, 1);
        let folder = match engine {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        };
        let files = std::fs::read_dir(format!("{}/migrations/{folder}", env!("CARGO_MANIFEST_DIR"))).unwrap().count() as i64;
        assert_eq!(scalar(&store, "SELECT COUNT(*) FROM _sqlx_migrations").await, files, "each migration file ran once");
        store.close().await;
        db.drop_db().await;
    }
}
